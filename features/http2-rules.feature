@l7 @http2 @h2-over-tls @tls-termination
Feature: Layer 7 rules hold for HTTP/2 requests
  Over HTTP/2 every request is a stream of a connection that may carry many at once, and its header
  names come lowercased. Rate limits count requests, not connections; header rules and timeouts
  apply to each stream as they do to an HTTP/1.1 request, and a stream that times out leaves the
  others on its connection alone. The checks are those of the HTTP/1.1 scenarios. A connection's
  idle timeout runs while it has no stream open: a stream in flight keeps it open however long the
  backend takes, and once the last one is over the connection is ended (GOAWAY, or closed) after
  "idleTimeoutMs".

  @task-10 @rate-limit @round-robin @id:h2-rate-limit-counts-streams
  Scenario: A client's rate limit counts the requests of one HTTP/2 connection, each one
    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, with this rate limit:
      """
      { "capacity": 5, "refillPerSecond": 1 }
      """
    When the client at 127.0.0.2 sends 8 requests one after another over one HTTP/2 connection
    Then its first 5 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    And the backends received only the requests that passed

  @task-07 @routing @header-rules @id:h2-route-header-rules
  Scenario: A route's header rules apply to an HTTP/2 request and its answer
    Given 1 HTTP backend
    And backend b1 adds these headers to its answers:
      | Server-Timing | db;dur=53 |
      | X-Powered-By  | fixture   |
      | Cache-Control | private   |
    And a balancer with an HTTPS listener speaking HTTP/2, routing to a pool per backend like this:
      """
      { "routes": [{ "name": "all", "pool": "b1", "match": {},
                     "requestHeaders": { "remove": ["Cookie"], "set": { "X-Env": "prod" }, "add": { "X-Via": "lbspec" } },
                     "responseHeaders": { "remove": ["X-Powered-By"], "set": { "Cache-Control": "no-store" }, "add": { "Server-Timing": "lb;dur=1" } } }] }
      """
    When a client sends a request over HTTP/2 with these headers:
      | Host   | app.example |
      | Cookie | session=1   |
      | X-Env  | dev         |
      | X-Via  | client      |
    Then the backend received header "X-Env" as "prod"
    And the backend received header "X-Via" as "client, lbspec"
    And the backend received none of the headers "Cookie"
    And the answer carried header "Cache-Control" as "no-store"
    And the answer carried header "Server-Timing" as "db;dur=53, lb;dur=1"
    And the answer carried none of the headers "X-Powered-By"

  @task-15 @timeouts @round-robin @id:h2-stream-timeout-alone
  Scenario: A stream whose backend never answers gets a 504 in time, and the streams beside it are served
    Given 2 HTTP backends
    And backend b1 never answers
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, whose pool has:
      """
      { "timeouts": { "responseMs": 300 } }
      """
    When a client sends 4 requests over one HTTP/2 connection, 4 at a time
    Then exactly 2 requests were answered with status 504, each within the response timeout
    And every request not answered with status 504 succeeded

  @task-10 @idle-timeout @round-robin @id:h2-idle-connection-ended
  Scenario: An HTTP/2 connection with no stream open is ended after the idle timeout, and a stream in flight keeps it open
    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, with these client limits:
      """
      { "idleTimeoutMs": 1000 }
      """
    Then an HTTP/2 connection whose request the backend holds past the idle timeout is answered 200 on it, while quick requests beside it come and go
    And an HTTP/2 connection left idle after an answer is ended (GOAWAY or closed) within the idle timeout, and not sooner

  @task-10 @idle-timeout @idle-before-first-request @round-robin @id:h2-silent-connection-ended
  Scenario: An HTTP/2 connection that never sends a request is ended after the idle timeout
    Given 1 HTTP backend
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends, with these client limits:
      """
      { "idleTimeoutMs": 1000 }
      """
    Then an HTTP/2 connection that sends no request is ended within the idle timeout, and not sooner
