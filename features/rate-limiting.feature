@l7 @rate-limit
Feature: Rate limiting with token buckets
  A listener's "rateLimit" gives each key a token bucket: "capacity" requests at once, then
  "refillPerSecond" more each second. A request with no token left gets 429 at once, with
  Retry-After (whole seconds, rounded up), the RateLimit-Policy and RateLimit headers of the IETF
  draft, and a body that says why; it never reaches a backend. Keys are the client's address (the
  socket's peer; X-Forwarded-For counts only from a configured trusted proxy), an API key from a
  header (with per-key overrides, and a 401 or the address for a request without one), or one
  bucket for everyone.

  Each client here has an address of its own on loopback (127.0.0.2, 127.0.0.3, ...). Refilling
  may let one more request through while a burst is sent, and the checks allow exactly the tokens
  the burst's own duration could have refilled.

  @task-10 @id:ratelimit-exactly-capacity-passes-rest
  Scenario: Exactly the capacity passes at once, the rest are refused, and a token refills in time
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "capacity": 5, "refillPerSecond": 1 }
      """
    When the client at 127.0.0.2 sends 8 requests one after another
    Then its first 5 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    And the backends received only the requests that passed
    And one more request from it passes once a token has refilled, and not sooner

  @task-10 @id:ratelimit-client-address-has-bucket
  Scenario: Each client address has a bucket of its own
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "capacity": 3, "refillPerSecond": 0.5 }
      """
    When the client at 127.0.0.2 sends 5 requests one after another
    Then its first 3 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    When the client at 127.0.0.3 sends 3 requests one after another
    Then all its requests passed

  @task-10 @id:ratelimit-forged-x-forwarded-for-neither-dodges
  Scenario: A forged X-Forwarded-For neither dodges a limit nor spends another client's; a trusted proxy's is believed
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "capacity": 3, "refillPerSecond": 0.5, "trustedProxies": ["127.0.0.9"] }
      """
    When the client at 127.0.0.2 with header "X-Forwarded-For: 127.0.0.3" sends 5 requests one after another
    Then its first 3 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    When the client at 127.0.0.3 sends 3 requests one after another
    Then all its requests passed
    When the client at 127.0.0.9 with header "X-Forwarded-For: 10.1.1.1" sends 3 requests one after another
    Then all its requests passed
    When the client at 127.0.0.9 with header "X-Forwarded-For: 10.1.1.2" sends 5 requests one after another
    Then its first 3 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason

  @task-10 @id:ratelimit-api-keys-have-buckets
  Scenario: API keys have buckets of their own, a tier gets more, and a request without a key is refused
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "key": { "from": "header", "name": "X-Api-Key", "whenMissing": "reject" },
        "capacity": 2, "refillPerSecond": 0.5, "overrides": [{ "key": "gold", "capacity": 6, "refillPerSecond": 0.5 }] }
      """
    When the client at 127.0.0.2 with header "X-Api-Key: silver" sends 4 requests one after another
    Then its first 2 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    When the client at 127.0.0.2 with header "X-Api-Key: bronze" sends 2 requests one after another
    Then all its requests passed
    When the client at 127.0.0.2 with header "X-Api-Key: gold" sends 8 requests one after another
    Then its first 6 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    And a request from it without the header is refused with 401

  @task-10 @id:ratelimit-global-limit-bucket-client
  Scenario: A global limit is one bucket that every client draws from
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "key": { "from": "global" }, "capacity": 4, "refillPerSecond": 0.01 }
      """
    When the client at 127.0.0.2 sends 3 requests one after another
    Then all its requests passed
    When the client at 127.0.0.3 sends 3 requests one after another
    Then its first 1 request passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason

  @task-10 @id:ratelimit-without-api-key-request
  Scenario: Without its API key, a request is limited by its client's address
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "key": { "from": "header", "name": "X-Api-Key", "whenMissing": "client-ip" },
        "capacity": 2, "refillPerSecond": 0.01 }
      """
    When the client at 127.0.0.2 sends 4 requests one after another
    Then its first 2 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    When the client at 127.0.0.3 sends 2 requests one after another
    Then all its requests passed
    When the client at 127.0.0.2 with header "X-Api-Key: silver" sends 2 requests one after another
    Then all its requests passed

  @task-10 @id:ratelimit-twenty-five-thousand-keys-do
  Scenario: Twenty-five thousand keys do not grow the balancer's memory without bound
    "maxKeys" bounds the table of buckets: past it, the least recently used bucket goes. Each key
    here is 8,000 bytes (a header line still within the 8 KiB that nginx and Apache take by
    default), so 25,000 of them are 191 MiB; a table that kept them all would hold at least that,
    while one bounded to 1,000 keys holds 8 MiB of them. The balancer's peak resident memory (its
    process tree's, from /proc) may grow by less than half of the keys' bytes.

    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "key": { "from": "header", "name": "X-Api-Key", "whenMissing": "reject" },
        "capacity": 1, "refillPerSecond": 0.01, "maxKeys": 1000 }
      """
    When 25000 requests each carry an API key of their own in header "X-Api-Key", 8000 bytes long
    Then each was answered, and the balancer's memory grew by less than half the bytes of the keys

  @task-10 @websocket @id:ratelimit-websocket-upgrade-spends-token
  Scenario: A WebSocket upgrade spends a token like any request
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with this rate limit:
      """
      { "capacity": 2, "refillPerSecond": 0.01 }
      """
    When the client at 127.0.0.2 asks for 3 WebSocket upgrades one after another
    Then its first 2 upgrades were switched to WebSocket, and the rest refused with 429

  @task-10 @routing @id:ratelimit-route-rate-limit-applies
  Scenario: A route's rate limit applies to the requests it takes, and to no others
    Given 2 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "pool": "b1",
        "routes": [{ "name": "search", "pool": "b2", "match": { "path": { "prefix": "/search" } },
                     "rateLimit": { "name": "search", "capacity": 2, "refillPerSecond": 0.5 } }] }
      """
    When the client at 127.0.0.2 sends 4 requests for "/search?q=x" one after another
    Then its first 2 requests passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason
    When the client at 127.0.0.2 sends 4 requests for "/home" one after another
    Then all its requests passed
