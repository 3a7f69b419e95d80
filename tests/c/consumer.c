/* A C99 consumer of libpi: compiled with -Wall -Wextra -Werror, linked
 * against libpi.a, checked against the reference checkpoints.
 * Usage: consumer PATH/TO/pi-checkpoints.tsv [MAX_HEX_POSITION]
 * (hex_at checkpoints up to MAX_HEX_POSITION, default 10^7, are checked). */
#include <pi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* Checks the last digits of every "decimal"/"hex" checkpoint with N <= 10000,
 * and every "hex_at" one up to max_position. */
static int check_checkpoints(const char *path, unsigned long long max_position) {
    FILE *f = fopen(path, "r");
    char line[512];
    int checked = 0;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        char kind[16], sha[80], tail[40];
        unsigned long long n;
        if (line[0] == '#' || sscanf(line, "%15s %llu %79s %39s", kind, &n, sha, tail) != 4) continue;
        if (strcmp(kind, "hex_at") == 0 && n <= max_position) {
            char digits[64];
            size_t count = strlen(tail);
            CHECK(pi_hex_digits_at(n, count, digits, count + 1) == PI_OK);
            CHECK(strcmp(digits, tail) == 0);
            checked++;
            continue;
        }
        if (n > 10000 || (strcmp(kind, "decimal") != 0 && strcmp(kind, "hex") != 0)) continue;
        {
            uint32_t base = strcmp(kind, "hex") == 0 ? 16 : 10;
            size_t len = (size_t)n + 3, written = 0;
            char *buffer = malloc(len);
            CHECK(buffer != NULL);
            if (!buffer) break;
            CHECK(pi_digits(n, base, buffer, len, &written) == PI_OK);
            CHECK(written == (size_t)n + 2 && strlen(buffer) == written);
            CHECK(strcmp(buffer + written - strlen(tail), tail) == 0);
            free(buffer);
            checked++;
        }
    }
    fclose(f);
    return checked;
}

/* Progress callback: counts calls, checks the arguments, cancels when asked. */
struct progress_log {
    int calls;
    int bad;
    double last;
    int cancel_after; /* cancel at this call; 0 never */
};

static int32_t on_progress(void *user_data, double fraction, const char *stage) {
    struct progress_log *log = user_data;
    log->calls++;
    if (fraction < log->last || fraction > 1.0 || stage == NULL || stage[0] == '\0') log->bad++;
    log->last = fraction;
    return log->cancel_after != 0 && log->calls >= log->cancel_after;
}

/* pi_options / pi_compute / pi_result: progress, cancellation, threads, memory limit. */
static void check_compute(void) {
    pi_options *options = pi_options_new();
    pi_result *result = NULL;
    struct progress_log log = {0, 0, 0.0, 0};
    char reference[1100];

    CHECK(options != NULL);
    if (!options) return;
    CHECK(pi_digits(1000, 16, reference, sizeof reference, NULL) == PI_OK);
    CHECK(pi_options_set_base(options, 16) == PI_OK);
    CHECK(pi_options_set_base(options, 17) == PI_ERROR_INVALID_ARGUMENT);
    CHECK(pi_options_set_threads(options, 1) == PI_OK);
    CHECK(pi_options_set_threads(options, 100000) == PI_ERROR_INVALID_ARGUMENT);
    CHECK(pi_options_set_progress(options, on_progress, &log) == PI_OK);
    CHECK(pi_compute(1000, options, &result) == PI_OK);
    CHECK(result != NULL && pi_result_len(result) == 1002);
    CHECK(result != NULL && strcmp(pi_result_digits(result), reference) == 0);
    CHECK(log.calls >= 4 && log.bad == 0 && log.last == 1.0);
    pi_result_free(result);

    /* Cancelled by the callback's first answer: no result. */
    log.calls = 0;
    log.last = 0.0;
    log.cancel_after = 1;
    result = (pi_result *)&log;
    CHECK(pi_compute(10000000, options, &result) == PI_ERROR_CANCELLED);
    CHECK(result == NULL && log.calls >= 1);

    /* The same options work again once the callback is cleared; verified. */
    CHECK(pi_options_set_progress(options, NULL, NULL) == PI_OK);
    CHECK(pi_options_set_verify(options, true) == PI_OK);
    CHECK(pi_compute(1000, options, &result) == PI_OK && strcmp(pi_result_digits(result), reference) == 0);
    pi_result_free(result);
    CHECK(pi_compute(4, options, &result) == PI_OK && strcmp(pi_result_digits(result), "3.243f") == 0);
    pi_result_free(result);

    /* Over the memory limit: refused before computing. */
    CHECK(pi_estimate_memory(1000000, options) > pi_estimate_memory(1000, options));
    CHECK(pi_estimate_memory(UINT64_MAX, NULL) == UINT64_MAX);
    CHECK(pi_options_set_memory_limit(options, pi_estimate_memory(1000000, options) - 1) == PI_OK);
    CHECK(pi_compute(1000000, options, &result) == PI_ERROR_OUT_OF_MEMORY && result == NULL);
    CHECK(pi_compute(1000, options, &result) == PI_OK);
    pi_result_free(result);
    CHECK(pi_options_set_memory_limit(options, 1) == PI_OK);
    CHECK(pi_compute(0, options, &result) == PI_ERROR_OUT_OF_MEMORY && result == NULL);
    CHECK(pi_options_set_memory_limit(options, UINT64_MAX) == PI_OK);
    CHECK(pi_compute(1, options, &result) == PI_OK && strcmp(pi_result_digits(result), "3.2") == 0);
    pi_result_free(result);

    CHECK(pi_compute(5, NULL, NULL) == PI_ERROR_NULL_POINTER);
    CHECK(pi_compute(UINT64_MAX, NULL, &result) == PI_ERROR_INVALID_ARGUMENT && result == NULL);
    CHECK(pi_result_digits(NULL) == NULL && pi_result_len(NULL) == 0);
    pi_result_free(NULL);
    pi_options_free(options);
    pi_options_free(NULL);
}

/* pi_compute_to_file: the text of pi_compute and a newline, in a file;
 * a file that cannot be created is PI_ERROR_OUTPUT. */
static void check_compute_to_file(void) {
    const char *path = "pi-consumer-digits.tmp";
    pi_result *result = NULL;
    char text[1100] = "";
    size_t len = 0;
    FILE *f;
    pi_options *options = pi_options_new();
    CHECK(options != NULL && pi_options_set_base(options, 16) == PI_OK);
    CHECK(pi_compute_to_file(1000, options, path) == PI_OK);
    CHECK(pi_compute(1000, options, &result) == PI_OK);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
    }
    CHECK(len == 1003 && text[1002] == '\n');
    CHECK(result != NULL && strncmp(text, pi_result_digits(result), 1002) == 0);
    pi_result_free(result);
    remove(path);
    CHECK(pi_compute_to_file(10, NULL, NULL) == PI_ERROR_NULL_POINTER);
    CHECK(pi_compute_to_file(10, NULL, "/nonexistent-directory/pi.txt") == PI_ERROR_OUTPUT);
    CHECK(strstr(pi_last_error_message(), "nonexistent-directory") != NULL);
#ifdef __linux__
    /* A full disk, as /dev/full is. */
    CHECK(pi_compute_to_file(100000, NULL, "/dev/full") == PI_ERROR_OUTPUT);
    CHECK(strstr(pi_last_error_message(), "/dev/full") != NULL);
#endif
    pi_options_free(options);
}

/* Cancels at the second report: the first comes at the stage's start. */
static int32_t cancel_later(void *user_data, double fraction, const char *stage) {
    int *calls = user_data;
    (void)fraction;
    CHECK(strcmp(stage, "extraction") == 0);
    return ++*calls >= 2;
}

static int32_t count_reports(void *user_data, double fraction, const char *stage) {
    double *last = user_data;
    CHECK(strcmp(stage, "extraction") == 0 && fraction >= *last);
    *last = fraction;
    return 0;
}

/* Digit extraction with options: progress to 1, and cancellation of a
 * position that would take hours. */
static void check_extraction_with_options(void) {
    char digits[9];
    int calls = 0;
    double last = 0.0;
    pi_options *options = pi_options_new();
    CHECK(options != NULL);
    CHECK(pi_options_set_threads(options, 1) == PI_OK);
    CHECK(pi_options_set_progress(options, count_reports, &last) == PI_OK);
    CHECK(pi_hex_digits_at_with_options(1000000, 8, options, digits, sizeof digits) == PI_OK);
    CHECK(strcmp(digits, "26c65e52") == 0 && last == 1.0);
    CHECK(pi_options_set_threads(options, 0) == PI_OK);
    CHECK(pi_options_set_progress(options, cancel_later, &calls) == PI_OK);
    CHECK(pi_hex_digits_at_with_options(PI_MAX_HEX_POSITION / 100, 8, options, digits,
                                        sizeof digits) == PI_ERROR_CANCELLED);
    CHECK(calls == 2 && digits[0] == '\0');
    CHECK(strstr(pi_last_error_message(), "cancelled") != NULL);
    CHECK(pi_hex_digits_at_with_options(0, 8, options, digits, sizeof digits) ==
          PI_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(pi_last_error_message(), "invalid position 0") != NULL);
    pi_options_free(options);
}

/* Digit extraction split as a scheduler would: three term ranges summed
 * in any order (here the last first), then combined; an attempt whose
 * precision cannot settle the digits asks for the next one. */
static void check_split_extraction(void) {
    const uint64_t position = 10000;
    char digits[9] = "";
    bool settled = false;
    for (uint32_t attempt = 0; !settled && attempt < 4; attempt++) {
        uint32_t precision = 0;
        uint64_t terms = 0, starts[3], ends[3], bound = 0, *values;
        CHECK(pi_hex_extraction(position, 8, attempt, &precision, &terms) == PI_OK);
        values = malloc(3 * precision * sizeof *values);
        CHECK(values != NULL);
        if (values == NULL)
            return;
        for (int i = 0; i < 3; i++) {
            starts[i] = terms * (2 - i) / 3;
            ends[i] = terms * (3 - i) / 3;
            CHECK(pi_hex_term_sum(position, 8, precision, starts[i], ends[i], NULL,
                                  values + i * precision, precision, &bound) == PI_OK);
            CHECK(bound == 7 * (ends[i] - starts[i]));
        }
        CHECK(pi_hex_combine(position, 8, precision, 3, starts, ends, values, digits,
                             sizeof digits, &settled) == PI_OK);
        /* Overlapping ranges are refused. */
        if (settled) {
            bool again = true;
            char none[9];
            ends[2] += 1;
            CHECK(pi_hex_combine(position, 8, precision, 3, starts, ends, values, none,
                                 sizeof none, &again) == PI_ERROR_INVALID_ARGUMENT);
            CHECK(!again && none[0] == '\0');
            CHECK(strstr(pi_last_error_message(), "overlap") != NULL);
        }
        free(values);
    }
    CHECK(settled && strcmp(digits, "68ac8fcf") == 0);
}

int main(int argc, char **argv) {
    char small[8];
    char buffer[64];
    size_t written = 12345;
    int major, minor, patch, status;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s pi-checkpoints.tsv [MAX_HEX_POSITION]\n", argv[0]);
        return 2;
    }

    CHECK(calc_pi(0) == 3.0f);
    CHECK(calc_pi(2) == 3.14f);
    CHECK(calc_pi(4) == 3.1416f);
    CHECK(calc_pi(7) == calc_pi(255));

    CHECK(pi_digits(10, 10, buffer, sizeof buffer, &written) == PI_OK);
    CHECK(written == 12 && strlen(buffer) == 12 && strncmp(buffer, "3.", 2) == 0);
    CHECK(pi_digits(0, 16, buffer, sizeof buffer, NULL) == PI_OK && strcmp(buffer, "3.") == 0);

    /* Buffer one byte short: the needed size is reported and nothing else written. */
    memset(small, 'x', sizeof small);
    CHECK(pi_digits(5, 10, small, 7, &written) == PI_ERROR_BUFFER_TOO_SMALL);
    CHECK(written == 8 && small[0] == '\0' && small[1] == 'x' && small[7] == 'x');

    CHECK(pi_digits(5, 10, NULL, 100, &written) == PI_ERROR_NULL_POINTER);
    CHECK(pi_digits(5, 2, buffer, sizeof buffer, &written) == PI_ERROR_INVALID_ARGUMENT);
    CHECK(pi_digits(5, 0, buffer, sizeof buffer, &written) == PI_ERROR_INVALID_ARGUMENT);
    CHECK(pi_digits(5, 17, buffer, sizeof buffer, &written) == PI_ERROR_INVALID_ARGUMENT);
    CHECK(pi_digits(1, 10, buffer, sizeof buffer, &written) == PI_OK && strcmp(buffer, "3.1") == 0);
    CHECK(pi_digits(1, 16, buffer, sizeof buffer, &written) == PI_OK && strcmp(buffer, "3.2") == 0);
    CHECK(pi_digits(UINT64_MAX, 10, buffer, sizeof buffer, &written) == PI_ERROR_INVALID_ARGUMENT);

    for (status = -2; status < 10; status++) {
        const char *message = pi_status_message(status);
        CHECK(message != NULL && message[0] != '\0');
    }
    CHECK(sscanf(pi_version(), "%d.%d.%d", &major, &minor, &patch) == 3);

    CHECK(check_checkpoints(argv[1], argc == 3 ? strtoull(argv[2], NULL, 10) : 10000000ull) >= 10);

    /* Digit extraction: bad arguments and a buffer one byte short. */
    memset(small, 'x', sizeof small);
    CHECK(pi_hex_digits_at(0, 4, small, sizeof small) == PI_ERROR_INVALID_ARGUMENT && small[0] == '\0');
    CHECK(pi_hex_digits_at(UINT64_MAX, 4, small, sizeof small) == PI_ERROR_INVALID_ARGUMENT);
    CHECK(pi_hex_digits_at(1, SIZE_MAX, small, sizeof small) == PI_ERROR_INVALID_ARGUMENT);
    CHECK(pi_hex_digits_at(1, 8, small, 8) == PI_ERROR_BUFFER_TOO_SMALL && small[1] == 'x');
    CHECK(pi_hex_digits_at(1, 7, small, 8) == PI_OK && strcmp(small, "243f6a8") == 0);
    CHECK(pi_hex_digits_at(1, 4, NULL, 8) == PI_ERROR_NULL_POINTER);
    check_compute();
    check_compute_to_file();
    check_extraction_with_options();
    check_split_extraction();

    if (failures) {
        fprintf(stderr, "C consumer: %d checks failed\n", failures);
        return 1;
    }
    printf("C consumer: all checks passed (libpi %s)\n", pi_version());
    return 0;
}
