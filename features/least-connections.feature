@least-connections
Feature: Least connections
  A pool using least_connections sends each new request (HTTP) or connection (TCP) to the backend
  with the fewest in flight relative to its weight; a tie among equally loaded backends may be
  broken any way (in turns, at random), so no check depends on how. In-flight counts go up when a
  request starts and down however it ends: answered, failed, reset or abandoned by the client. A
  count that leaks starves its backend forever.

  @task-02
  Scenario Outline: New <protocol> requests go to the backend with nothing in flight
    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using least_connections over all backends
    When 2 requests are held open
    Then the held requests are on 2 different backends
    When a client sends 6 requests one after another
    Then every request succeeded
    And the backends holding requests received none of the new requests

    @l7 @id:lc-new-requests-go-backend-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:lc-new-requests-go-backend-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @task-02
  Scenario Outline: A slow <protocol> backend receives far fewer requests under concurrent load
    The clients share the requests: each sends the next one left as soon as its last is answered,
    so a client held up by the slow backend leaves the rest to the others and the load stays
    concurrent to the end.

    Given 3 <protocol> backends
    And backend b1 delays its answers by 300 ms
    And a balancer with a <protocol> listener using least_connections over all backends
    When 4 clients send 120 requests between them at the same time
    Then every request succeeded
    And backend b1 received fewer than half as many requests as any other backend

    @l7 @id:lc-slow-backend-receives-far-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:lc-slow-backend-receives-far-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @task-02 @load-aware-weights
  Scenario Outline: Held <protocol> requests fill the backends in proportion to their weights
    Each request goes to the backend with the fewest in flight per unit of weight. Held one after
    another, 8 requests over weights 3 and 1 end as 6 and 2, however ties are broken (and also where
    the request being placed counts itself in); a balancer that ignores weights ends at 4 and 4.

    Given 2 <protocol> backends
    And a balancer with a <protocol> listener using least_connections over b1 (weight 3), b2 (weight 1)
    When 8 requests are held open
    Then the held requests are on the backends in proportion to their weights

    @l7 @id:lc-held-requests-fill-backends-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:lc-held-requests-fill-backends-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @task-11 @l7 @id:lc-variable-request-durations-backend
  Scenario: With variable request durations no backend piles up requests
    Six clients keep six requests in flight, sharing the requests so that none runs on alone at the
    end; least connections keeps every backend within one of the others, so none ever has more than
    ceil(6 / 3) + 1 = 3 at once, even the slowest.

    Given 3 HTTP backends
    And backend b1 delays its answers by 200 ms
    And backend b2 delays its answers by 20 ms
    And a balancer with an HTTP listener using least_connections over all backends
    When 6 clients send 120 requests between them at the same time
    Then every request succeeded
    And no backend had more than 3 requests in flight at once

  @task-11 @l7 @id:lc-in-flight-counts-return-zero
  Scenario: In-flight counts return to zero however requests end
    The mixed load goes to b1 alone, so any count it leaks stays on b1: spread over several
    backends, least connections would even the leaks out and hide them. Then two requests are held
    on two of the three backends, leaving exactly one with nothing in flight: every new request must
    go there, whichever backend it is and however the balancer breaks ties. A leaked count on b1
    keeps it from being that backend. (A leak of exactly one request ties with a held one and may
    pass; the mixed load ends hundreds of requests by failure, reset or abandonment.)

    Given 3 HTTP backends
    And a balancer with an HTTP listener using least_connections over b1
    When 4 clients each send 100 mixed requests: succeeding, failing, reset by the backend and abandoned by the client
    And every request has finished and the backends' counts are reset
    And the balancer is reconfigured to use least_connections over b1, b2, b3
    And 2 requests are held open
    Then the held requests are on 2 different backends
    When a client sends 6 requests one after another
    Then every request succeeded
    And the backends holding requests received none of the new requests
