@l7 @multi-instance
Feature: A fleet of balancers
  In production a balancer runs as several instances behind one address, and what users rely on
  must hold across the fleet, not per instance. Here several instances of the balancer under test
  run from the same config, each on listener and admin addresses of its own, and a client's
  requests are spread over them: round robin, or mostly to one.

  A rate limit whose config names a shared store ("rateLimit.store") keeps its buckets there: the
  whole fleet grants the limit once, and every instance refuses with the same headers. What a
  request gets while the store fails is the config's to say ("onFailure"): "open" lets it through
  without RateLimit headers, "closed" refuses it with 503 and Retry-After; either way within the
  store's timeout, and the limit holds again once the store is back. The store here is a real
  Redis, started by the suite on a loopback port; without redis-server installed these scenarios
  are skipped, and say so.

  A consistent hash places a key by the backends alone, so every instance sends it to the same
  backend, also after every instance has taken a new backend by reload. An affinity cookie set by
  one instance pins its client on every other, as they share the pool's secret. Health, outlier and
  breaker state are each instance's own: each sees the backends for itself, and may see them
  differently for a while. An instance that dies (killed, as a crash or an out-of-memory kill does)
  takes only its own requests with it: the others serve theirs, and its clients keep their
  backends there.

  @task-10 @rate-limit @shared-rate-limit-store @id:fleet-limit-holds-across-instances
  Scenario: A limit kept in a shared store holds across the fleet, whichever instance takes each request
    Given 1 HTTP backend
    And a Redis for the fleet's shared state
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit in the shared store:
      """
      { "key": { "from": "header", "name": "X-Api-Key" }, "capacity": 6, "refillPerSecond": 0.5,
        "store": { "timeoutMs": 2000 } }
      """
    And 2 more instances of the balancer are started on the same config
    When the client at 127.0.0.2 with header "X-Api-Key: team-a" sends 12 requests one after another, round robin over the fleet
    Then its first 6 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    And every instance refused some of them, with the same RateLimit-Policy
    When the client at 127.0.0.2 with header "X-Api-Key: team-b" sends 12 requests one after another, most of them to the first instance
    Then its first 6 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    And the backends received only the requests that passed

  @task-10 @rate-limit @shared-rate-limit-store @id:fleet-limit-concurrent-clients-once
  Scenario: Clients sending at once to every instance share one bucket: exactly the capacity and what refilled pass
    Given 1 HTTP backend
    And a Redis for the fleet's shared state
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit in the shared store:
      """
      { "key": { "from": "global" }, "capacity": 20, "refillPerSecond": 1, "store": { "timeoutMs": 2000 } }
      """
    And 2 more instances of the balancer are started on the same config
    When 6 clients send 15 requests each at once, round robin over the fleet
    Then at least 20 requests passed, and no more than 20 and what refilled while they were sent
    And the backends received only the requests that passed

  @task-10 @rate-limit @shared-rate-limit-store @robustness @id:fleet-store-paused-fails-open
  Scenario: A store that stops answering lets requests through within its timeout when the limit fails open, and limits again once back
    Given 1 HTTP backend
    And a Redis for the fleet's shared state
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit in the shared store:
      """
      { "capacity": 3, "refillPerSecond": 0.2, "store": { "timeoutMs": 300, "onFailure": "open" } }
      """
    And 1 more instance of the balancer is started on the same config
    When the client at 127.0.0.2 sends 5 requests one after another, round robin over the fleet
    Then its first 3 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    When the shared store stops answering
    And the client at 127.0.0.2 sends 6 requests one after another, round robin over the fleet
    Then all its requests passed, each within the store's timeout
    When the shared store answers again
    Then within 10 seconds a client new to the limit is limited again: of 5 requests round robin over the fleet, the first 3 pass

  @task-10 @rate-limit @shared-rate-limit-store @robustness @id:fleet-store-down-fails-closed
  Scenario: A store that is down refuses every request with 503 when the limit fails closed, and serves again once back
    Given 1 HTTP backend
    And a Redis for the fleet's shared state
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit in the shared store:
      """
      { "capacity": 3, "refillPerSecond": 0.2, "store": { "timeoutMs": 300, "onFailure": "closed" } }
      """
    And 1 more instance of the balancer is started on the same config
    When the client at 127.0.0.2 sends 2 requests one after another, round robin over the fleet
    Then all its requests passed
    When the shared store is stopped
    And the client at 127.0.0.2 sends 4 requests one after another, round robin over the fleet
    Then all its requests were refused with 503, Retry-After and a reason, each within the store's timeout
    And the backends received only the requests that passed
    When the shared store is started again
    Then within 10 seconds a client new to the limit is limited again: of 5 requests round robin over the fleet, the first 3 pass

  @task-08 @sticky-sessions @round-robin @id:fleet-sticky-cookie-honoured-by-every-instance
  Scenario: A client keeps its backend on every instance, whichever instance set its cookie
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares" } }
      """
    And 2 more instances of the balancer are started on the same config
    When 3 clients each take their affinity cookie from another instance of the fleet
    And the clients send 9 requests each round robin over the fleet, returning their cookies
    Then every request to a running instance reached the backend its cookie pins

  @task-08 @sticky-sessions @round-robin @robustness @id:fleet-instance-killed-others-serve
  Scenario: An instance killed under traffic loses no request sent to the others, and its clients keep their backends there
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares" } }
      """
    And 2 more instances of the balancer are started on the same config
    When 3 clients each take their affinity cookie from another instance of the fleet
    And the clients send 30 requests each round robin over the fleet, returning their cookies, and instance 2 is killed after the first 15
    Then every request to a running instance reached the backend its cookie pins

  @task-14 @consistent-hash
  Scenario Outline: Every instance sends a key to the same backend (<method>), also after each took a new backend by reload
    Given 5 HTTP backends
    And a balancer with an HTTP listener using consistent_hash over b1, b2, b3, b4, whose pool has:
      """
      { "hashKey": { "from": "header", "name": "X-User" }<settings> }
      """
    And 2 more instances of the balancer are started on the same config
    When 600 keys are sent in header "X-User"
    Then every instance sends every key where the first one did
    When the balancer is reconfigured to use consistent_hash over b1, b2, b3, b4, b5
    And the keys are sent again
    Then every instance sends every key where the first one did

    @id:fleet-hash-same-backend-every-instance
    Examples:
      | method | settings |
      | ring   |          |

    @maglev @id:fleet-maglev-same-backend-every-instance
    Examples:
      | method | settings                  |
      | maglev | , "hashMethod": "maglev" |
