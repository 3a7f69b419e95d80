/* Out of memory is an error, never an abort: pi_compute in child processes
 * under address-space limits (RLIMIT_AS, as `ulimit -v` sets), from too
 * small to enough, and under a limit that another thread squeezes while the
 * computation runs, so that its allocations fail midway. Every child must
 * exit with the digits or with PI_ERROR_OUT_OF_MEMORY and its message;
 * none may die of a signal (SIGABRT is what an abort would give).
 * Usage: oom [DIGITS] */
#define _GNU_SOURCE
#include <pi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1ull << 20)

enum { DIGITS_OK = 0, OUT_OF_MEMORY = 3, OTHER_FAILURE = 4 };

/* Bytes of address space this process has mapped (VmSize). */
static unsigned long long mapped(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kib = 0;
    while (status != NULL && fgets(line, sizeof line, status) != NULL) {
        if (sscanf(line, "VmSize: %llu kB", &kib) == 1) break;
    }
    if (status != NULL) fclose(status);
    return kib * 1024;
}

struct squeeze {
    unsigned long long limit, slack;
    unsigned delay_ms;
};

/* After a delay, maps all but `slack` bytes of what the limit leaves. */
static void *squeeze(void *arg) {
    const struct squeeze *s = arg;
    usleep(s->delay_ms * 1000);
    unsigned long long used = mapped();
    if (s->limit > used + s->slack) {
        size_t take = (size_t)(s->limit - used - s->slack);
        if (mmap(NULL, take, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) ==
            MAP_FAILED)
            fprintf(stderr, "oom: could not squeeze %zu bytes\n", take);
    }
    return NULL;
}

/* The child: computes under the limit, squeezed if `s->slack`. */
static int compute(unsigned long long digits, struct squeeze *s) {
    pthread_t thread;
    if (s->slack != 0 && pthread_create(&thread, NULL, squeeze, s) != 0) return OTHER_FAILURE;
    struct rlimit limit = {s->limit, s->limit};
    if (setrlimit(RLIMIT_AS, &limit) != 0) return OTHER_FAILURE;
    pi_result *result = NULL;
    pi_status status = pi_compute(digits, NULL, &result);
    if (status == PI_OK) {
        int right = pi_result_len(result) == digits + 2 &&
                    strncmp(pi_result_digits(result), "3.14159265358979", 16) == 0;
        pi_result_free(result);
        return right ? DIGITS_OK : OTHER_FAILURE;
    }
    const char *message = pi_last_error_message();
    if (status == PI_ERROR_OUT_OF_MEMORY && strstr(message, "out of memory") != NULL)
        return OUT_OF_MEMORY;
    fprintf(stderr, "oom: status %d: %s\n", (int)status, message);
    return OTHER_FAILURE;
}

/* Runs one case in a child; returns its exit code, or -1 after a signal. */
static int run(unsigned long long digits, struct squeeze s) {
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) _exit(compute(digits, &s));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "oom: FAILED: %llu digits, limit %llu MiB, slack %llu MiB: signal %d\n",
                digits, s.limit / MIB, s.slack / MIB, WTERMSIG(status));
        return -1;
    }
    return WEXITSTATUS(status);
}

int main(int argc, char **argv) {
    unsigned long long digits = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000ull;
    int counts[OTHER_FAILURE + 1] = {0}, failures = 0;
    /* Limits from too small to enough: refused up front, or computed. */
    for (unsigned long long mib = 32; mib <= 1024; mib += 96) {
        int code = run(digits, (struct squeeze){mib * MIB, 0, 0});
        if (code == DIGITS_OK || code == OUT_OF_MEMORY) counts[code]++;
        else failures++;
    }
    /* Enough at the start, squeezed to a few MiB during the computation. */
    unsigned delays[] = {20, 100, 300};
    unsigned long long slacks[] = {2, 8, 64};
    for (size_t d = 0; d < sizeof delays / sizeof *delays; d++)
        for (size_t k = 0; k < sizeof slacks / sizeof *slacks; k++) {
            int code = run(digits, (struct squeeze){4096 * MIB, slacks[k] * MIB, delays[d]});
            if (code == DIGITS_OK || code == OUT_OF_MEMORY) counts[code]++;
            else failures++;
        }
    printf("oom: %llu digits: %d computed, %d out of memory, %d failed\n", digits,
           counts[DIGITS_OK], counts[OUT_OF_MEMORY], failures);
    if (failures != 0 || counts[DIGITS_OK] == 0 || counts[OUT_OF_MEMORY] == 0) return 1;
    return 0;
}
