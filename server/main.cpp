// moim-server: serves the web client's static files and the /ws signaling endpoint.
// Single-threaded: one io_context, run on the main thread (the hub is not thread-safe).

#include "listener.hpp"
#include "log.hpp"
#include "server_context.hpp"
#include "session_token.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kExitUsage = 2;

struct Options {
  unsigned short port = 8080;
  asio::ip::address address = asio::ip::address_v4::any();
  std::filesystem::path root = "web";
  bool root_given = false;
  bool help = false;
};

constexpr std::string_view kUsage =
    "Usage: moim-server [--port N] [--address A] [--root DIR] [--help]\n"
    "\n"
    "  --port N      TCP port to listen on, 0-65535 (default 8080; 0 picks a free port)\n"
    "  --address A   IPv4 or IPv6 address to bind (default 0.0.0.0)\n"
    "  --root DIR    folder of static files for the web client (default ./web, relative to the\n"
    "                current directory); GET / serves DIR/index.html\n"
    "  --help        show this text\n"
    "\n"
    "The WebSocket signaling endpoint is ws://HOST:PORT/ws.\n";

struct UsageError {
  std::string message;
};

std::optional<unsigned short> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<unsigned short>(value);
}

// Accepts "--flag value" and "--flag=value".
Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (const std::size_t eq = arg.find('='); arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    auto take_value = [&]() -> std::string_view {
      if (value) return *value;
      if (i + 1 >= argc) throw UsageError{std::string(name) + " needs a value"};
      return argv[++i];
    };

    if (name == "--help" || name == "-h") {
      if (value) throw UsageError{"--help takes no value"};
      options.help = true;
    } else if (name == "--port") {
      const std::string_view text = take_value();
      const std::optional<unsigned short> port = parse_port(text);
      if (!port) throw UsageError{"invalid --port '" + std::string(text) + "': expected a number from 0 to 65535"};
      options.port = *port;
    } else if (name == "--address") {
      const std::string text(take_value());
      boost::system::error_code ec;
      options.address = asio::ip::make_address(text, ec);
      if (ec) throw UsageError{"invalid --address '" + text + "': expected an IPv4 or IPv6 address"};
    } else if (name == "--root") {
      const std::string_view text = take_value();
      if (text.empty()) throw UsageError{"--root needs a folder"};
      options.root = std::filesystem::path(text);
      options.root_given = true;
    } else {
      throw UsageError{"unknown argument '" + std::string(arg) + "'"};
    }
  }
  return options;
}

std::string display_host(const asio::ip::address& address) {
  if (address.is_unspecified() || address.is_loopback()) return "localhost";
  if (address.is_v6()) return "[" + address.to_string() + "]";
  return address.to_string();
}

int run(const Options& options) {
  std::error_code fs_ec;
  const bool root_exists = std::filesystem::is_directory(options.root, fs_ec);
  if (!root_exists) {
    if (options.root_given) {
      std::cerr << "moim-server: --root '" << options.root.string() << "' is not a folder\n";
      return kExitUsage;
    }
    moim::server::log_warn("static folder '" + options.root.string() +
                           "' not found: HTTP requests will get 404 (use --root DIR)");
  }

  // The context outlives the io_context: handlers destroyed with the io_context may own sessions.
  moim::server::ServerContext ctx(moim::HubConfig{}, &moim::server::make_session_token, options.root);
  for (const std::string& warning : ctx.site_warnings) moim::server::log_warn("static files: " + warning);
  if (root_exists) {
    moim::server::log_info("serving " + std::to_string(ctx.site.file_count()) + " files (" +
                           std::to_string((ctx.site.total_bytes() + 1023) / 1024) + " KiB with their .br/.gz forms) from '" +
                           options.root.string() + "', held in memory");
  }
  asio::io_context ioc{1};

  auto listener = std::make_shared<moim::server::Listener>(ioc, ctx);
  const tcp::endpoint endpoint(options.address, options.port);
  if (const auto ec = listener->listen(endpoint)) {
    std::cerr << "moim-server: cannot listen on " << options.address.to_string() << ":" << options.port << ": "
              << ec.message() << "\n";
    return 1;
  }
  listener->start();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    moim::server::log_info(std::string("signal ") + std::to_string(signal_number) + ", shutting down");
    listener->stop();
    ioc.stop();
  });

  std::cout << "Moim server listening on http://" << display_host(options.address) << ":" << listener->port()
            << std::endl;

  // A handler that throws must not take the server down: log and keep serving.
  for (;;) {
    try {
      ioc.run();
      break;
    } catch (const std::exception& e) {
      moim::server::log_error(std::string("unhandled exception in a handler: ") + e.what());
    } catch (...) {
      moim::server::log_error("unhandled non-standard exception in a handler");
    }
  }
  std::cout << "Moim server stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "moim-server: " << e.message << "\n" << kUsage;
    return kExitUsage;
  }
  if (options.help) {
    std::cout << kUsage;
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a vanished peer must give EPIPE, not kill the process
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "moim-server: fatal: " << e.what() << "\n";
    return 1;
  }
}
