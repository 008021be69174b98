@task-06 @l7 @http2 @grpc @h2-over-tls @h2-upstream @tls-termination @round-robin
Feature: gRPC balanced per call
  gRPC runs over HTTP/2: a client keeps one connection open and sends every call on it as a stream
  of its own. A balancer that picks a backend per connection (any layer 4 balancer) therefore
  sends all of a client's calls to one backend, however many backends there are; that is what a
  TCP listener does, and is not a fault of it. A layer 7 listener speaking HTTP/2 balances each call.

  Here the client is the standard @grpc/grpc-js on one channel (one connection), over TLS, and
  the backends are @grpc/grpc-js servers reached over HTTP/2 (pool "http2"). A call's status comes
  in trailers after its answer, so a balancer must pass trailers on. A backend that cannot be
  reached must end the call UNAVAILABLE (14), whether the balancer says so in a gRPC status of its
  own or as HTTP 502, 503 or 504, which gRPC clients read as UNAVAILABLE. When a call's deadline
  passes or its client cancels it, the client resets its stream; the balancer must reset the
  backend's stream too, so the backend stops working on an answer no one waits for.

  @id:grpc-calls-balanced-per-call
  Scenario: 300 calls on one connection are shared out by round robin, a third to each backend
    Given 3 gRPC backends
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, and HTTP/2 to them
    When a client makes 300 gRPC calls on one channel, 10 at a time
    Then every request succeeded
    And each backend received exactly 100 requests

  @id:grpc-status-in-trailers
  Scenario: A call's status, message and trailers pass through from the backend
    Given 1 gRPC backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, and HTTP/2 to them
    When a client makes a gRPC call that the backend fails with status 5 and message "no such key"
    Then the call ended with gRPC status 5 and message "no such key"
    And the call's trailers named the backend that answered it

  @id:grpc-dead-backend-unavailable
  Scenario: A call to a backend that cannot be reached ends UNAVAILABLE
    Given 1 gRPC backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, and HTTP/2 to them
    When backend b1 is stopped
    And a client makes 3 gRPC calls on one channel, 1 at a time
    Then every call ended with gRPC status 14

  @id:grpc-deadline-cancels-backend-call
  Scenario: A call whose deadline passes, or that its client cancels, is cancelled at the backend
    A deadline travels with the call (grpc-timeout), so a backend may end the call itself; a call
    the client cancels ends at the backend only if the balancer resets the backend's stream.

    Given 1 gRPC backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, and HTTP/2 to them
    When a client makes a gRPC call with a deadline of 300 ms that the backend would answer after 5000 ms
    Then the call ended with gRPC status 4 on the client, and the backend saw it cancelled before it answered, within 3000 ms
    When a client makes a gRPC call that the backend would answer after 5000 ms, and cancels it after 300 ms
    Then the call ended with gRPC status 1 on the client, and the backend saw it cancelled before it answered, within 3000 ms
