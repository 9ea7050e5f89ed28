#pragma once
// A thin RAII layer over SQLite 3 for the ledger: a connection with a cache of prepared
// statements, and statements whose errors come back as values. Not thread-safe: one
// Db per thread (the ledger owns one).

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace verdict::escrow::sql {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Bind by 1-based index. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, std::span<const std::uint8_t> blob);
  Statement& bind_text(int index, std::string_view text);
  // Steps once: true if a row is available, false when done, an Error on failure.
  Result<bool> step();
  // Steps to completion, expecting no rows.
  Status run();
  std::int64_t int_at(int col) const;
  std::vector<std::uint8_t> blob_at(int col) const;
  std::string text_at(int col) const;
  bool null_at(int col) const;
  int column_count() const;
  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
  int type_at(int col) const;
  // Resets and clears bindings (done automatically by Db::prepare before reuse).
  void reset();

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db() const;
};

// A borrowed cached statement; resets it (ending any read it holds open) when it goes
// out of scope.
class StatementRef {
 public:
  explicit StatementRef(Statement* s) : s_(s) {}
  StatementRef(StatementRef&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  StatementRef& operator=(StatementRef&&) = delete;
  ~StatementRef() {
    if (s_) s_->reset();
  }
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;
};

class Db {
 public:
  // flags: SQLite open flags (SQLITE_OPEN_*).
  static Result<std::unique_ptr<Db>> open(const std::string& path, int flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status exec(const std::string& sql);
  // A cached statement for this SQL text, reset and ready to bind. Do not hold two
  // references to the same SQL text at once.
  Result<StatementRef> prepare(const std::string& sql);
  std::string errmsg() const;
  sqlite3* handle() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>> cache_;
};

}  // namespace verdict::escrow::sql
