# adversarial.mk - hostile guest programs and their host-side helpers (included by the top-level Makefile).
#   make adversarial     build $(BUILD)/adversarial/*: the guest programs (C: gcc -static -O1,
#                        .S: gcc -nostdlib -static -no-pie), the run wrapper and the library driver
#   make hostile         build them and run tests/vm/test_hostile.sh against $(BUILD)/vmlet
# `make test` builds them too, so tests/run.sh finds them.
ADV_DIR := tests/adversarial
ADV_C := $(filter-out $(ADV_DIR)/runwrap.c $(ADV_DIR)/lib_driver.c,$(wildcard $(ADV_DIR)/*.c))
ADV_S := $(wildcard $(ADV_DIR)/*.S)
ADV_GUESTS := $(ADV_C:$(ADV_DIR)/%.c=$(BUILD)/adversarial/%) $(ADV_S:$(ADV_DIR)/%.S=$(BUILD)/adversarial/%)
ADV_HOST := $(BUILD)/adversarial/runwrap $(BUILD)/adversarial/lib_driver

# Guest programs: static, unsanitized (they run inside the VM).
$(BUILD)/adversarial/%: $(ADV_DIR)/%.c $(ADV_DIR)/adv.h include/vmlet_abi.h
	@mkdir -p $(@D)
	gcc -static -O1 -Wall -Wno-unused-result -Iinclude -o $@ $<

$(BUILD)/adversarial/%: $(ADV_DIR)/%.S include/vmlet_abi.h
	@mkdir -p $(@D)
	gcc -nostdlib -static -no-pie -Iinclude -o $@ $<

# Host helpers: built like the library (with $(SAN) when asked), so the driver checks the library under ASan.
$(BUILD)/adversarial/runwrap: $(ADV_DIR)/runwrap.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -o $@ $<

$(BUILD)/adversarial/lib_driver: $(ADV_DIR)/lib_driver.c $(BUILD)/libvmlet.a include/vmlet.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(BUILD)/libvmlet.a -lpthread -lrt

adversarial: $(ADV_GUESTS) $(ADV_HOST)

hostile: all adversarial
	BUILD=$(BUILD) VMLET=$(BUILD)/vmlet bash tests/vm/test_hostile.sh

test: adversarial

.PHONY: adversarial hostile
