/* binfmt-shim: stands in for binfmt_misc under qemu-user, which cannot execve a riscv64
 * binary from its guest. Installed as APPLET in a PATH directory: when the riscv64 busybox
 * shell (under qemu-riscv64) fails to exec itself and falls back to PATH, this starts a
 * fresh qemu-riscv64 on the riscv64 busybox with argv[0] = APPLET, as binfmt_misc would.
 * BINFMT_SHIM_QEMU and BINFMT_SHIM_TARGET name the emulator and the busybox binary. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *qemu = getenv("BINFMT_SHIM_QEMU"), *target = getenv("BINFMT_SHIM_TARGET");
  if (qemu == NULL || target == NULL) {
    fprintf(stderr, "binfmt-shim: BINFMT_SHIM_QEMU and BINFMT_SHIM_TARGET must be set\n");
    return 127;
  }
  char **args = calloc(argc + 4, sizeof *args);
  if (args == NULL) return 127;
  args[0] = (char *)qemu;
  args[1] = "-0";
  args[2] = argv[0];
  args[3] = (char *)target;
  for (int i = 1; i < argc; i++) args[3 + i] = argv[i];
  execv(qemu, args);
  perror("binfmt-shim: execv");
  return 127;
}
