/* Stress test of libpi from C: eight threads compute at once, some of them
 * cancelled in the middle, every result checked; then the resident memory
 * after 1000 small computations and 100 cancelled ones must not have grown.
 * Compiled with -Wall -Wextra -Werror -pthread against libpi.a. */
#include <pi.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define MAX_DIGITS 60000

static char reference[2][MAX_DIGITS + 3]; /* decimal, hexadecimal */

struct job {
    int index;
    int failed;
};

/* Cancels at the callback's second call. */
static int32_t cancel_soon(void *user_data, double fraction, const char *stage) {
    int *calls = user_data;
    (void)fraction;
    (void)stage;
    return ++*calls >= 2;
}

static void *work(void *arg) {
    struct job *job = arg;
    int hex = job->index % 2;
    pi_options *options = pi_options_new();
    pi_result *result = NULL;
    int calls = 0;
    if (!options) {
        job->failed = 1;
        return NULL;
    }
    pi_options_set_base(options, hex ? 16 : 10);
    pi_options_set_threads(options, (uint32_t)(job->index % 3));
    if (job->index % 4 == 3) {
        /* Long enough to be cancelled in the middle. */
        pi_options_set_progress(options, cancel_soon, &calls);
        job->failed = pi_compute(5000000, options, &result) != PI_ERROR_CANCELLED || result != NULL;
    } else {
        uint64_t digits = MAX_DIGITS - 997 * (uint64_t)job->index;
        job->failed = pi_compute(digits, options, &result) != PI_OK ||
                      pi_result_len(result) != digits + 2 ||
                      memcmp(pi_result_digits(result), reference[hex], digits + 2) != 0;
    }
    pi_result_free(result);
    pi_options_free(options);
    return NULL;
}

/* Resident set size in KiB (Linux), or 0 if unknown. */
static long resident_kib(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * 4;
}

static int32_t cancel_at_once(void *user_data, double fraction, const char *stage) {
    (void)user_data;
    (void)fraction;
    (void)stage;
    return 1;
}

/* n small computations and n / 10 cancelled ones. */
static int churn(int n) {
    int failures = 0;
    pi_options *cancelling = pi_options_new();
    int i;
    pi_options_set_progress(cancelling, cancel_at_once, NULL);
    for (i = 0; i < n; i++) {
        pi_result *result = NULL;
        failures += pi_compute(200 + (uint64_t)i % 50, NULL, &result) != PI_OK;
        pi_result_free(result);
        if (i % 10 == 0) {
            failures += pi_compute(2000000, cancelling, &result) != PI_ERROR_CANCELLED;
        }
    }
    pi_options_free(cancelling);
    return failures;
}

int main(void) {
    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    int i, failures = 0;
    long before, after;

    if (pi_digits(MAX_DIGITS, 10, reference[0], sizeof reference[0], NULL) != PI_OK ||
        pi_digits(MAX_DIGITS, 16, reference[1], sizeof reference[1], NULL) != PI_OK) {
        fprintf(stderr, "stress: cannot compute the references\n");
        return 1;
    }
    for (i = 0; i < THREADS; i++) {
        jobs[i].index = i;
        jobs[i].failed = 0;
        if (pthread_create(&threads[i], NULL, work, &jobs[i]) != 0) return 1;
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (jobs[i].failed) {
            fprintf(stderr, "stress: thread %d failed\n", i);
            failures++;
        }
    }

    failures += churn(200); /* warm-up: allocator arenas, thread stacks */
    before = resident_kib();
    failures += churn(1000);
    after = resident_kib();
    printf("stress: resident %ld KiB before, %ld KiB after 1000 computations and 100 cancelled\n",
           before, after);
#if defined(__SANITIZE_ADDRESS__)
    after = before; /* AddressSanitizer's quarantine holds freed memory on purpose */
#endif
    if (after > before + 4096) {
        fprintf(stderr, "stress: resident memory grew by %ld KiB\n", after - before);
        failures++;
    }
    if (failures) {
        fprintf(stderr, "stress: %d failures\n", failures);
        return 1;
    }
    printf("stress: all checks passed\n");
    return 0;
}
