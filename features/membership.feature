@l7 @runtime-membership @hitless-reload
Feature: Backends join, drain, change weight and leave, and routes change, while traffic flows
  The pool's members change through a reload (the adapter's reconfigure), without a restart and
  without failing a request: a backend that joins takes requests as soon as the change is live; a
  draining one ("drain": true) takes no new requests but finishes those in flight; a new weight
  takes effect; a backend that leaves finishes its requests in flight and takes no more. Routes
  change the same way: requests follow the new routes once the change is live, and none fails. A change
  is live when the balancer says so (for the reference, its admin /status shows the new config).
  Backend b3 answers slowly, so that requests are in flight on it when it leaves.
  A balancer may close an idle keep-alive connection at any time (a reload often does). A GET
  written at that moment is lost in transit, so the clients send it again once, as RFC 9112
  section 9.3.1 allows, and such a request counts as succeeded only if its first attempt reached no
  backend.

  @task-14 @weighted-round-robin @id:member-under-continuous-traffic-backends
  Scenario: Under continuous traffic, backends join, drain, change weight and leave, and no request fails
    Given 4 HTTP backends
    And every backend delays its answers by 50 ms
    And backend b3 delays its answers by 400 ms
    And a balancer with an HTTP listener using weighted_round_robin over b1 (weight 1), b2 (weight 1), b3 (weight 1)
    When 6 clients start sending requests continuously
    And backend b4 joins the pool
    And backend b1 is drained
    And backend b2's weight becomes 3
    And backend b1 leaves the pool
    And backend b3 leaves the pool
    And the clients stop
    Then every request succeeded
    And backend b4 received requests after it joined
    And no request sent after backend b1 was drained reached it
    And no request sent after backend b3 was removed reached it

  @task-07 @routing @id:member-under-continuous-traffic-routes
  Scenario: Under continuous traffic, routes change, and no request fails
    Given 3 HTTP backends
    And every backend delays its answers by 50 ms
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "all", "pool": "b1", "match": { "path": { "prefix": "/" } } }] }
      """
    When 6 clients start sending requests continuously
    And the routes become:
      """
      { "routes": [{ "name": "all", "pool": "b2", "match": { "path": { "prefix": "/" } } }] }
      """
    And the routes become:
      """
      { "routes": [{ "name": "old", "pool": "b2", "match": { "path": { "prefix": "/old" } } },
                   { "name": "all", "pool": "b3", "match": { "path": { "prefix": "/" } } }] }
      """
    And the clients stop
    Then every request succeeded
    And no request sent after the routes first changed reached backend b1
    And backend b3 received requests after the routes last changed
