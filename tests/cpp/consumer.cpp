// A C++17 consumer of libpi: compiled with -Wall -Werror, linked against libpi.a.
#include <pi.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// The idiomatic C++ face a user would write over the C API.
std::string pi_text(std::uint64_t digits, std::uint32_t base) {
    std::vector<char> buffer(static_cast<std::size_t>(digits) + 3);
    std::size_t written = 0;
    pi_status status = pi_digits(digits, base, buffer.data(), buffer.size(), &written);
    if (status != PI_OK) throw std::runtime_error(pi_status_message(status));
    return std::string(buffer.data(), written);
}

// The same through pi_compute, with owning handles and a progress lambda.
std::string pi_text_with_progress(std::uint64_t digits, int &calls) {
    std::unique_ptr<pi_options, decltype(&pi_options_free)> options(pi_options_new(), pi_options_free);
    if (!options) throw std::bad_alloc();
    auto on_progress = [](void *user_data, double, const char *) -> std::int32_t {
        ++*static_cast<int *>(user_data);
        return 0;
    };
    pi_options_set_progress(options.get(), on_progress, &calls);
    pi_result *raw = nullptr;
    pi_status status = pi_compute(digits, options.get(), &raw);
    std::unique_ptr<pi_result, decltype(&pi_result_free)> result(raw, pi_result_free);
    if (status != PI_OK) throw std::runtime_error(pi_status_message(status));
    return std::string(pi_result_digits(result.get()), pi_result_len(result.get()));
}

// Digit extraction split as a scheduler would: the terms summed in
// `parts` ranges (each could run on another machine), then combined.
std::string split_hex_digits_at(std::uint64_t position, std::size_t count, std::uint64_t parts) {
    for (std::uint32_t attempt = 0;; ++attempt) {
        std::uint32_t precision = 0;
        std::uint64_t terms = 0;
        if (pi_hex_extraction(position, count, attempt, &precision, &terms) != PI_OK)
            throw std::runtime_error(pi_last_error_message());
        std::vector<std::uint64_t> starts, ends, values(parts * precision);
        for (std::uint64_t i = 0; i < parts; ++i) {
            starts.push_back(terms * i / parts);
            ends.push_back(terms * (i + 1) / parts);
            std::uint64_t bound = 0;
            if (pi_hex_term_sum(position, count, precision, starts[i], ends[i], nullptr,
                                values.data() + i * precision, precision, &bound) != PI_OK)
                throw std::runtime_error(pi_last_error_message());
        }
        std::vector<char> out(count + 1);
        bool settled = false;
        if (pi_hex_combine(position, count, precision, parts, starts.data(), ends.data(),
                           values.data(), out.data(), out.size(), &settled) != PI_OK)
            throw std::runtime_error(pi_last_error_message());
        if (settled) return std::string(out.data(), count);
    }
}

int failures = 0;

void check(bool ok, const char *what) {
    if (!ok) {
        std::fprintf(stderr, "check failed: %s\n", what);
        ++failures;
    }
}

}  // namespace

int main() {
    const std::string decimal = pi_text(1000, 10);
    const std::string hex = pi_text(1000, 16);
    check(decimal.size() == 1002 && decimal.compare(0, 2, "3.") == 0, "decimal length");
    check(hex.size() == 1002, "hex length");
    check(pi_text(100, 10) == decimal.substr(0, 102), "truncation: prefixes agree");
    check(calc_pi(2) == 3.14f, "calc_pi(2)");
    int calls = 0;
    check(pi_text_with_progress(1000, calls) == decimal, "pi_compute agrees with pi_digits");
    check(calls >= 4, "progress reported at each stage");

    check(split_hex_digits_at(1000, 16, 5) == "349f1c09b075372c", "split extraction");
    check(split_hex_digits_at(1, 0, 1).empty(), "split extraction of no digits");

    bool threw = false;
    try {
        pi_text(5, 17);
    } catch (const std::runtime_error &) {
        threw = true;
    }
    check(threw, "base 17 is rejected");

    if (failures) return 1;
    std::printf("C++ consumer: all checks passed (libpi %s)\n", pi_version());
    return 0;
}
