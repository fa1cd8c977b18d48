// Table tests of the client's machines (signaling, peer health, server link): a script of steps,
// each an event and the exact effects it must produce, checked one by one with a readable failure.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

namespace moim::test {

// "A; B; C; " from anything with operator<<.
template <class Effects>
std::string show(const Effects& effects) {
  std::ostringstream os;
  for (const auto& e : effects) os << e << "; ";
  return os.str();
}

// Feeds each step to `handle(step)` and compares what it returns with `step.expected`; `where(step)`
// says when the step happens, if the script has a clock ("" if not).
template <class Step, class Handle, class Where>
void run_script(const std::vector<Step>& script, Handle handle, Where where) {
  for (std::size_t i = 0; i < script.size(); ++i) {
    std::ostringstream event;
    event << script[i].event;
    const auto got = handle(script[i]);
    EXPECT_EQ(got, script[i].expected) << "step " << i << where(script[i]) << ": " << event.str()
                                       << "\n got: " << show(got) << "\n want: " << show(script[i].expected);
  }
}

// For steps with a clock (`at`, in ms).
template <class Step>
std::string at_ms(const Step& step) {
  std::ostringstream os;
  os << " at " << step.at << " ms";
  return os.str();
}

}  // namespace moim::test
