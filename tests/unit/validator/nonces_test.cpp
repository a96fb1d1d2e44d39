#include "core/validator/nonces.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace leea::validator {
namespace {

using namespace std::chrono_literals;

const NonceClock::time_point kT0 = NonceClock::time_point(1'700'000'000s);

std::string refusal(const Result<void>& r) { return r ? "accepted" : r.error().message; }

TEST(NonceBook, IssuesThirtyTwoRandomBytesThatExpireAfterTheTtl) {
  NonceBook book({.ttl = 30s});
  auto a = book.issue("demo", kT0);
  auto b = book.issue("demo", kT0);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->nonce.size(), 32u);
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_EQ(a->expires, kT0 + 30s);
  EXPECT_EQ(book.outstanding(), 2u);
}

TEST(NonceBook, TheTtlIsAtMostSixtySeconds) {
  NonceBook book({.ttl = 600s});
  auto n = book.issue("demo", kT0);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->expires, kT0 + 60s);
}

TEST(NonceBook, ANonceIsAcceptedOnce) {
  NonceBook book;
  auto n = book.issue("demo", kT0);
  ASSERT_TRUE(n);
  EXPECT_EQ(refusal(book.consume(n->nonce, "demo", kT0 + 1s)), "accepted");
  auto again = book.consume(n->nonce, "demo", kT0 + 2s);
  EXPECT_EQ(refusal(again), "nonce unknown or already used");
  EXPECT_EQ(again.error().code, Errc::refused);
  EXPECT_EQ(book.outstanding(), 0u);
}

TEST(NonceBook, ANonceIsValidUntilItsExpiryAndNotAt) {
  NonceBook book({.ttl = 60s});
  auto early = book.issue("demo", kT0);
  auto late = book.issue("demo", kT0);
  ASSERT_TRUE(early && late);
  EXPECT_EQ(refusal(book.consume(early->nonce, "demo", kT0 + 60s - 1ms)), "accepted");
  EXPECT_EQ(refusal(book.consume(late->nonce, "demo", kT0 + 60s)), "nonce expired");
  EXPECT_EQ(refusal(book.consume(late->nonce, "demo", kT0 + 1s)), "nonce unknown or already used");
}

TEST(NonceBook, ANonceForAnotherOrderIsRefusedAndUsedUp) {
  NonceBook book;
  auto n = book.issue("demo", kT0);
  ASSERT_TRUE(n);
  EXPECT_EQ(refusal(book.consume(n->nonce, "other", kT0)), "nonce issued for another order");
  EXPECT_EQ(refusal(book.consume(n->nonce, "demo", kT0)), "nonce unknown or already used");
}

TEST(NonceBook, AnUnknownNonceIsRefused) {
  NonceBook book;
  ASSERT_TRUE(book.issue("demo", kT0));
  Nonce forged{};
  EXPECT_EQ(refusal(book.consume(forged, "demo", kT0)), "nonce unknown or already used");
  EXPECT_EQ(book.outstanding(), 1u);
}

TEST(NonceBook, ANonceOfTheWrongLengthIsRefused) {
  NonceBook book;
  std::vector<uint8_t> short_nonce(31);
  auto r = book.consume(short_nonce, "demo", kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message, "nonce must be 32 bytes, got 31");
}

TEST(NonceBook, AnInvalidOrderIdIsRefused) {
  NonceBook book;
  for (const char* order : {"", "..", "a/b", "x y"}) {
    auto n = book.issue(order, kT0);
    ASSERT_FALSE(n) << order;
    EXPECT_EQ(n.error().code, Errc::invalid_argument);
  }
  EXPECT_EQ(book.outstanding(), 0u);
}

TEST(NonceBook, TheOldestNonceIsEvictedWhenTheBookIsFull) {
  NonceBook book({.ttl = 60s, .capacity = 3});
  std::vector<Nonce> issued;
  for (int i = 0; i < 4; ++i) {
    auto n = book.issue("demo", kT0 + std::chrono::seconds(i));
    ASSERT_TRUE(n);
    issued.push_back(n->nonce);
  }
  EXPECT_EQ(book.outstanding(), 3u);
  EXPECT_EQ(refusal(book.consume(issued[0], "demo", kT0 + 5s)), "nonce unknown or already used");
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(refusal(book.consume(issued[i], "demo", kT0 + 5s)), "accepted") << i;
  }
}

TEST(NonceBook, ExpiredNoncesAreDroppedBeforeLiveOnesAreEvicted) {
  NonceBook book({.ttl = 60s, .capacity = 100});
  auto old1 = book.issue("demo", kT0);
  auto old2 = book.issue("demo", kT0 + 1s);
  auto live = book.issue("demo", kT0 + 50s);
  ASSERT_TRUE(old1 && old2 && live);
  ASSERT_TRUE(book.issue("demo", kT0 + 61s));
  EXPECT_EQ(book.outstanding(), 2u);  // live and the new one
  EXPECT_EQ(refusal(book.consume(live->nonce, "demo", kT0 + 62s)), "accepted");
}

TEST(NonceBook, ACapacityOfZeroStillHoldsTheNewestNonce) {
  NonceBook book({.ttl = 60s, .capacity = 0});
  auto a = book.issue("demo", kT0);
  auto b = book.issue("demo", kT0);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(book.outstanding(), 1u);
  EXPECT_EQ(refusal(book.consume(b->nonce, "demo", kT0)), "accepted");
}

class FixedRandom : public crypto::RandomSource {
 public:
  Result<void> fill(std::span<uint8_t> out) override {
    if (fail) {
      return make_error(Errc::internal, "random: no entropy");
    }
    std::fill(out.begin(), out.end(), uint8_t{0x5a});
    return {};
  }
  bool fail = false;
};

TEST(NonceBook, AFailingOrRepeatingRandomSourceIssuesNothing) {
  FixedRandom random;
  NonceBook book({}, random);
  ASSERT_TRUE(book.issue("demo", kT0));
  auto repeat = book.issue("demo", kT0);
  ASSERT_FALSE(repeat);
  EXPECT_EQ(repeat.error().code, Errc::internal);
  random.fail = true;
  auto failed = book.issue("demo", kT0);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "random: no entropy");
  EXPECT_EQ(book.outstanding(), 1u);
}

TEST(NonceBook, ThreadsIssueAndConsumeIndependently) {
  NonceBook book;
  constexpr int kThreads = 4;
  constexpr int kEach = 500;
  std::vector<int> accepted(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&book, &accepted, t] {
      for (int i = 0; i < kEach; ++i) {
        auto n = book.issue("demo", kT0);
        if (n && book.consume(n->nonce, "demo", kT0 + 1s)) {
          ++accepted[t];
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(accepted, std::vector<int>(kThreads, kEach));
  EXPECT_EQ(book.outstanding(), 0u);
}

}  // namespace
}  // namespace leea::validator
