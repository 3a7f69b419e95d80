// A C++17 consumer of libpi: compiled with -Wall -Werror, linked against libpi.a.
#include <pi.h>

#include <cstdio>
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
