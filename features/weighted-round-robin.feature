@weighted-round-robin @task-12
Feature: Weighted round robin
  A pool using weighted_round_robin gives each backend a share of the requests in proportion to its
  weight, spread out rather than in bursts: over every run of as many consecutive requests as the
  total weight, each backend gets exactly its weight, and no backend strays far from its ideal share
  over any run of requests. The exact order is the balancer's own (nginx and HAProxy differ); only
  the proportions and the smoothness are required. Over TCP each connection is one request.

  Scenario Outline: Each backend gets exactly its weight in every cycle, without bursts, over <protocol>
    Given 3 <protocol> backends
    And a balancer with a <protocol> listener using weighted_round_robin over b1 (weight 5), b2 (weight 1), b3 (weight 1)
    When a client sends 70 requests one after another
    Then every request succeeded
    And every run of consecutive requests as long as the total weight was answered in proportion to the weights
    And no backend strayed more than 2 requests from its ideal share over any run of consecutive requests

    @l7 @id:wrr-backend-gets-exactly-weight-http
    Examples: HTTP
      | protocol |
      | HTTP     |

    @l4 @id:wrr-backend-gets-exactly-weight-tcp
    Examples: TCP
      | protocol |
      | TCP      |

  @l7 @id:wrr-heterogeneous-weights-1-100
  Scenario: Heterogeneous weights from 1 to 100 are followed exactly and smoothly
    Given 4 HTTP backends
    And a balancer with an HTTP listener using weighted_round_robin over b1 (weight 1), b2 (weight 10), b3 (weight 40), b4 (weight 100)
    When a client sends 302 requests one after another
    Then every request succeeded
    And every run of consecutive requests as long as the total weight was answered in proportion to the weights
    And no backend strayed more than 2 requests from its ideal share over any run of consecutive requests

  @l7 @id:wrr-backend-weight-0-gets
  Scenario: A backend of weight 0 gets nothing
    Given 3 HTTP backends
    And a balancer with an HTTP listener using weighted_round_robin over b1 (weight 2), b2 (weight 0), b3 (weight 1)
    When a client sends 30 requests one after another
    Then every request succeeded
    And backend b2 received no requests
    And backends b1 each received exactly 20 requests
    And backends b3 each received exactly 10 requests

  @l7 @id:wrr-weights-changed-runtime-take
  Scenario: Weights changed at runtime take effect without a restart
    Given 3 HTTP backends
    And a balancer with an HTTP listener using weighted_round_robin over b1 (weight 5), b2 (weight 1), b3 (weight 1)
    When the balancer is reconfigured to use weighted_round_robin over b1 (weight 1), b2 (weight 1), b3 (weight 5)
    And a client sends 70 requests one after another
    Then every request succeeded
    And every run of consecutive requests as long as the total weight was answered in proportion to the weights
