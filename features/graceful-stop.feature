@graceful-stop
Feature: A balancer told to stop finishes what it took on, then exits
  A balancer is stopped at every deploy, restart and scale-in. Told to stop gracefully (the way its
  adapter says: SIGTERM for the reference, SIGQUIT for nginx, SIGUSR1 for HAProxy, SIGTERM for
  Caddy, LBSPEC_STOP_SIGNAL for your own), it must answer every request it was already serving, in
  full, and then exit on its own once its clients have gone. Whether it still accepts connections
  while it drains is its choice (some stop listening at once, some keep answering with
  "Connection: close" for a while), so that is not judged. An HTTP/2 client that keeps its
  connection open must be told (GOAWAY, RFC 9113 section 6.8) or have it closed soon after its last
  answer, or it goes on opening streams on a balancer that is going away; nginx, HAProxy and Caddy
  all do so at once. A TCP connection has no requests the balancer could see end: one open at the
  stop must keep carrying bytes both ways until its client ends it (here within a second of the
  stop; a balancer may well cut connections that outlast a drain time of its own). The requests are
  slow on purpose: their backends answer only 2 s after they
  arrive, and the stop is sent once every one has reached its backend.

  @task-15 @l7 @round-robin @id:stop-answers-requests-in-flight
  Scenario: Requests in flight when the balancer is told to stop are answered in full, then it exits
    Given 2 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends
    When 4 requests are in flight, each answered after 2000 ms, and the balancer is told to stop
    Then every request in flight is answered 200 by a backend, its body whole
    And the balancer exits on its own within 10 s of the last answer


  @task-15 @l7 @tls-termination @h2-over-tls @round-robin @id:stop-answers-http2-streams-in-flight
  Scenario: HTTP/2 streams in flight when the balancer is told to stop are answered in full on their connection, then it exits
    Given 2 HTTP backends
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When 4 HTTP/2 streams of one connection are in flight, each answered after 2000 ms, and the balancer is told to stop
    Then every request in flight is answered 200 by a backend, its body whole
    And the HTTP/2 connection is sent GOAWAY or closed within 2 s of its last answer
    And the balancer exits on its own within 10 s of the last answer

  @task-15 @l4 @round-robin @id:stop-keeps-tcp-connections-open
  Scenario: TCP connections open when the balancer is told to stop carry their conversations to the end, then it exits
    Given 2 TCP backends
    And a balancer with a TCP listener using round_robin over all backends
    When 4 TCP connections are open and the balancer is told to stop
    Then every open TCP connection still echoes what it is sent, and ends when its client ends it
    And the balancer exits on its own within 10 s of the last answer
