@l7 @sticky-sessions @round-robin
Feature: Sticky sessions
  A pool with "stickySession" pins a client to a backend with a cookie. The first answer from a
  backend the client is not pinned to sets the cookie (its attributes: sticky-session-cookie.feature);
  later requests carrying it reach the same backend. The value is
  opaque: it names no backend's id, address or port, and nobody without the pool's secret can make
  one that pins a backend, so a forged, tampered, unknown or stale value is balanced as usual and
  replaced. Balancers sharing the config and the secret honour each other's cookies, and a restart
  loses no affinity. When the pinned backend leaves the pool, the client goes elsewhere and is
  pinned there.

  A restarted or second balancer starts its rotation afresh, so in those scenarios another client
  takes the first turn: the pinned client's backend is then not the one a fresh rotation picks first.

  Background:
    Given 3 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends, whose pool has:
      """
      { "stickySession": { "cookie": "lb", "secret": "the secret this fleet shares" } }
      """

  @task-08 @id:sticky-client-keeps-backend-through
  Scenario: A client keeps its backend through a cookie that reveals nothing of it
    When a client sends 12 requests one after another, returning the cookie it is given
    Then every request reached the backend the first one did
    And the cookie's value names no backend's id, address or port, in clear or in base64

  @task-08 @id:sticky-forged-tampered-unknown-cookie
  Scenario: A forged, tampered or unknown cookie pins nothing and is replaced
    Which backend takes a request without a valid cookie is the next scenario's; here any choice
    that spreads requests passes, so 15 requests with each value must not all reach one backend.

    When a client sends 15 requests with each of these cookies, keeping none it is given:
      | a tampered value       |
      | b3's id                |
      | b3's address           |
      | b3's address in base64 |
      | an unknown value       |
    Then no cookie pinned the client to one backend, and every answer set a fresh cookie

  @task-08 @sticky-unpinned-by-algorithm @id:sticky-request-without-valid-cookie
  Scenario: A request without a valid cookie takes its turn in the rotation
    When a client sends 6 requests with each of these cookies, keeping none it is given:
      | no cookie          |
      | a tampered value   |
      | an unknown value   |
    Then the requests took their turns in the rotation, each 3 in a row reaching 3 different backends

  @task-08 @id:sticky-client-backend-leaves-pool
  Scenario: A client whose backend leaves the pool goes elsewhere and is pinned there
    When a client sends 1 request one after another, returning the cookie it is given
    And the backend it reached is removed from the pool
    And the client sends 6 more requests, returning the cookie it is given
    Then the requests after the change succeeded on one other backend, and the first of them replaced the cookie

  @task-08 @id:sticky-affinity-survives-restart-balancer
  Scenario: Affinity survives a restart of the balancer
    When a client without a cookie takes the first turn of the rotation
    And a client sends 1 request one after another, returning the cookie it is given
    And the balancer is restarted
    And the client sends 6 more requests, returning the cookie it is given
    Then every request reached the backend the first one did

  @task-08 @id:sticky-two-balancers-sharing-config
  Scenario: Two balancers sharing the config and the secret honour each other's cookies
    When a client without a cookie takes the first turn of the rotation
    And a client sends 1 request one after another, returning the cookie it is given
    And a second balancer with the same pools is started
    And the client sends 6 more requests to the second balancer, returning the cookie it is given
    Then every request reached the backend the first one did
