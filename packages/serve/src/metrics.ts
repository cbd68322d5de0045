/**
 * Prometheus metrics for `serve` (`GET /metrics` over HTTP): executions and tool calls by outcome,
 * errors by code, latency histograms, and the admission queue. One registry per server instance,
 * so tests and embedders never share global state.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

export class ServeMetrics {
  readonly registry = new Registry();
  readonly executions = new Counter({
    name: "mcp_cli_executions_total",
    help: "Executions run through the execute tool, by outcome (ok, or the error code).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly executionSeconds = new Histogram({
    name: "mcp_cli_execution_duration_seconds",
    help: "Wall time of executions, admission wait excluded.",
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: "mcp_cli_tool_calls_total",
    help: "Tool calls made by executions, by server, tool and outcome.",
    labelNames: ["server", "tool", "outcome"] as const,
    registers: [this.registry],
  });
  readonly toolCallSeconds = new Histogram({
    name: "mcp_cli_tool_call_duration_seconds",
    help: "Latency of tool calls made by executions, by server.",
    labelNames: ["server"] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "mcp_cli_errors_total",
    help: "Errors by stable error code (executions, tool calls, refused requests).",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: "mcp_cli_executions_in_flight",
    help: "Executions running now.",
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "mcp_cli_execution_queue_depth",
    help: "Executions waiting for a free slot.",
    registers: [this.registry],
  });

  constructor() {
    this.registry.setDefaultLabels({ service: "mcp-cli-serve" });
  }
}
