/* demo_spin.c - loops forever without system calls, for timeout tests. */
int main(void)
{
	for (volatile unsigned long i = 0;; i++)
		;
}
