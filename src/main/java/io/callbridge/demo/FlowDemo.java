package io.callbridge.demo;

/**
 * One flow's part of the demo: a short script of calls through one route, written against the
 * flow's contract (DESIGN.md) and checked against what reached the simulators. When the flow
 * lands, adjust its script here if the answer's shape needs it; until then the route answers 501
 * and {@link DemoCall#send} reports the flow as not there yet, which does not fail the demo.
 */
interface FlowDemo {
  /** The flow's name as in DESIGN.md: enrich, lead, ping, postback. */
  String flow();

  /** The conf/demo.yaml route the script calls. */
  String route();

  /** One line: who calls and why. */
  String story();

  /** Drives the calls; {@code call} prints the timeline and collects the checks. Runs on the main thread. */
  void run(DemoCall call) throws Exception;
}
