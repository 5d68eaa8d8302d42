# events_asyncio.py - an asyncio event loop (epoll, a self-pipe from socket.socketpair) with timers.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    await asyncio.sleep(0.02)
    fut = loop.create_future()
    loop.call_later(0.01, fut.set_result, 7)
    order = []

    async def tick(name, delay):
        await asyncio.sleep(delay)
        order.append(name)

    await asyncio.gather(tick("late", 0.03), tick("early", 0.005))
    print("future", await fut, "order", order)


asyncio.run(main())
print("done")
