// The subcommands of the hookd executable. Each add_*_command registers one subcommand on `app`; when
// that subcommand is chosen, its callback runs the command and stores its process exit code in
// `exit_code`. Exit codes: 0 success, 1 the command ran and failed (an invalid signature, unreadable
// input), 2 a usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hookd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

void add_copy_command(CLI::App& app, int& exit_code);
void add_jwt_command(CLI::App& app, int& exit_code);
// `hookd hooks` takes the `webhook` tool's Go-style flags, so main hands it the raw arguments.
int run_hooks(const std::vector<std::string>& args);
void add_listen_command(CLI::App& app, int& exit_code);
void add_prune_command(CLI::App& app, int& exit_code);
void add_migrate_command(CLI::App& app, int& exit_code);
void add_secret_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_sign_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);

}  // namespace hookd::cli
