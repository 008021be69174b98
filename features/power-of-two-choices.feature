@power-of-two-choices @task-13
Feature: Power of two choices
  A pool using power_of_two_choices draws two distinct backends at random and sends the request to
  the one with fewer in flight relative to its weight. So the single most loaded backend never gets a
  new request while another exists, equally loaded backends share uniformly, and a slow backend,
  which keeps requests in flight longer, gets less. Uniformity is checked statistically: the bounds
  come from the sample size and a false-failure probability of 1e-6 per check.

  Scenario Outline: The most loaded <protocol> backend gets no new request while another exists
    With two backends every draw compares both, so the idle one must win every time; a balancer
    that may draw the same backend twice sends some requests to the loaded one.

    Given 2 <protocol> backends
    And a balancer with a <protocol> listener using power_of_two_choices over all backends
    When 1 request is held open
    And a client sends 60 requests one after another
    Then every request succeeded
    And the backends holding requests received none of the new requests

    @l7 @id:p2c-most-loaded-backend-gets-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:p2c-most-loaded-backend-gets-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @load-aware-weights
  Scenario Outline: Held <protocol> requests fill two backends in proportion to their weights
    With two backends every draw compares both, and the one with fewer in flight per unit of weight
    wins: 8 requests held one after another over weights 1 and 3 end as 2 and 6, however ties are
    broken. A balancer that compares bare counts ends at 4 and 4.

    Given 2 <protocol> backends
    And a balancer with a <protocol> listener using power_of_two_choices over b1 (weight 1), b2 (weight 3)
    When 8 requests are held open
    Then the held requests are on the backends in proportion to their weights

    @l7 @id:p2c-held-requests-fill-two-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:p2c-held-requests-fill-two-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @l7 @id:p2c-equally-loaded-backends-share
  Scenario: Equally loaded backends share the requests uniformly
    One client sends one request at a time, so every backend has nothing in flight when the next is
    chosen: every draw is a tie, and the shares must be those of a uniform draw. (Under concurrent
    load a backend the machine happens to slow down rightly gets less, so the exact binomial bounds
    would not hold.) The requests are as many as it takes to catch a backend drawn a quarter of the
    time instead of a third, missed with probability 1e-6 (2,884 for three backends); a tie settled
    by the order of the list skews the shares far more.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using power_of_two_choices over all backends
    When a client sends one after another the requests it takes to tell a share of 1/4 from a fair one
    Then every request succeeded
    And the requests were spread uniformly over the backends

  @l7 @id:p2c-backend-busy-idle-two
  Scenario: With one backend busy, the idle two share the requests uniformly
    One request is held on one of three backends; then one client sends one request at a time. A
    draw of the busy backend and an idle one goes to the idle one; a draw of the two idle ones is a
    tie. Drawn uniformly, each pair comes a third of the time, so each idle backend gets half of the
    requests. A second draw that favours some backends skews the halves.

    Given 3 HTTP backends
    And a balancer with an HTTP listener using power_of_two_choices over all backends
    When 1 request is held open
    And a client sends 1200 requests one after another
    Then every request succeeded
    And the requests were spread uniformly over the backends holding none, and none reached the others

  @l7 @id:p2c-slow-backend-receives-well
  Scenario: A slow backend receives well below its share
    The clients share the requests, so a client held up by the slow backend leaves the rest to the
    others and the load stays concurrent to the end.

    Given 3 HTTP backends
    And backend b1 delays its answers by 300 ms
    And a balancer with an HTTP listener using power_of_two_choices over all backends
    When 4 clients send 120 requests between them at the same time
    Then every request succeeded
    And backend b1 received fewer than half as many requests as any other backend
