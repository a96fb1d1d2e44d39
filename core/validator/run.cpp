#include <pthread.h>
#include <signal.h>

#include <thread>

#include "core/util/log.h"
#include "core/validator/service.h"

namespace leea::validator {

Result<void> run_validator(const config::ValidatorConfig& config,
                           const std::function<void(int port)>& on_ready) {
  // Block the stop signals before any thread exists, so that only the watcher below
  // receives them and the server threads never run a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A file-size limit (RLIMIT_FSIZE) must make a write fail with EFBIG, as a full disk fails
  // with ENOSPC, and not kill the validator.
  ::signal(SIGXFSZ, SIG_IGN);

  LEEA_ASSIGN_OR_RETURN(auto service, Service::open(config));
  net::ServerOptions o;
  o.cert_pem_path = config.tls.cert.string();
  o.key_pem_path = config.tls.key.string();
  o.threads = static_cast<size_t>(config.limits.threads);
  o.max_body_bytes = config.limits.max_body_bytes;
  o.read_timeout_seconds = config.limits.read_timeout_seconds;
  o.write_timeout_seconds = config.limits.write_timeout_seconds;
  o.handshake_timeout_seconds = config.limits.handshake_timeout_seconds;
  o.max_connections = config.limits.max_connections;
  o.max_connections_per_source = config.limits.max_connections_per_source;
  o.max_queued_requests = config.limits.max_queued_requests;
  LEEA_ASSIGN_OR_RETURN(auto server, net::HttpsServer::create(o));
  service->install(*server);
  LEEA_ASSIGN_OR_RETURN(int port, server->bind(config.listen.host, config.listen.port));

  std::thread watcher([&server, &stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::info("signal {}: finishing requests in flight", sig);
    server->stop();
  });
  on_ready(port);
  Result<void> served = server->serve();
  // serve() also returns on a listener error: wake the watcher so it can be joined.
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  return served;
}

}  // namespace leea::validator
