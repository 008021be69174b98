@l7 @consistent-hash @maglev
Feature: Consistent hashing with a Maglev table
  With "hashMethod": "maglev", a consistent_hash pool looks keys up in a Maglev table instead of a
  ring. A key still reaches the same backend every time, also across restarts, but Maglev trades a
  little stability for an even spread: a change of backends moves the changed backend's keys plus a
  small fraction of the others' keys.

  The bounds: a newcomer's share of the table is within 1 point of 1/(N+1), since backends fill the
  table in turns. How many keys move between backends the change did not touch depends on the
  permutations the balancer's hash gives each backend: typically 0.1%, but up to 20% when two
  backends draw the same skip, which the spec cannot rule out; so at most 25% may move, which a
  table built from the backends' positions still exceeds. The sample of 2,000 keys must then fall
  within exact binomial bounds (false failure 1e-6).

  Background:
    Given 5 HTTP backends

  @task-05 @id:maglev-table-same-key-reaches
  Scenario: With a Maglev table, the same key reaches the same backend every time, also after a restart
    Given a balancer with an HTTP listener using consistent_hash over b1, b2, b3, b4, whose pool has:
      """
      { "hashKey": { "from": "header", "name": "X-User" }, "hashMethod": "maglev" }
      """
    When 1000 keys are sent in header "X-User"
    And the keys are sent again
    Then every key landed where it did the first time
    And no backend holds less than half or more than twice its fair share of the keys
    When the balancer is restarted
    And the keys are sent again
    Then every key landed where it did the first time

  @task-14 @id:maglev-table-backend-added-four
  Scenario: With a Maglev table, a backend added to four takes about a fifth of the keys, and almost none move between the others
    Given a balancer with an HTTP listener using consistent_hash over b1, b2, b3, b4, whose pool has:
      """
      { "hashKey": { "from": "header", "name": "X-User" }, "hashMethod": "maglev" }
      """
    When 2000 keys are sent in header "X-User"
    And the balancer is reconfigured to use consistent_hash over b1, b2, b3, b4, b5
    And the keys are sent again
    Then about 1/5 of the keys moved to b5, and almost none between the others

  @task-14 @id:maglev-table-backend-removed-gives
  Scenario: With a Maglev table, a backend removed gives up its keys, and almost no others move
    Given a balancer with an HTTP listener using consistent_hash over all backends, whose pool has:
      """
      { "hashKey": { "from": "header", "name": "X-User" }, "hashMethod": "maglev" }
      """
    When 2000 keys are sent in header "X-User"
    And the balancer is reconfigured to use consistent_hash over b1, b2, b4, b5
    And the keys are sent again
    Then the keys b3 held moved, and almost none of the others
