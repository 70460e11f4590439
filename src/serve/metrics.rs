//! `/metrics`: the server's counters in the Prometheus text format.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::batch::Summary;
use crate::ir::Pack;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PackLabels {
    name: String,
    version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Every series the server keeps, registered once.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    claims: Family<StatusLabels, Counter>,
    findings: Family<ActionLabels, Counter>,
    errors: Family<RouteLabels, Counter>,
    reloads: Family<OutcomeLabels, Counter>,
    packs: Family<PackLabels, Gauge>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("claimrules");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let claims = Family::<StatusLabels, Counter>::default();
        let findings = Family::<ActionLabels, Counter>::default();
        let errors = Family::<RouteLabels, Counter>::default();
        let reloads = Family::<OutcomeLabels, Counter>::default();
        let packs = Family::<PackLabels, Gauge>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            latency.clone(),
        );
        registry.register(
            "claims_judged",
            "Claims judged (/v1/check and /v1/try), by result status",
            claims.clone(),
        );
        registry.register(
            "findings",
            "Findings of the claims judged, by action",
            findings.clone(),
        );
        registry.register(
            "errors",
            "Requests answered with a server error (5xx), by route",
            errors.clone(),
        );
        registry.register(
            "reloads",
            "Reloads of the packs (admin endpoint or SIGHUP), by outcome (ok, failed)",
            reloads.clone(),
        );
        registry.register(
            "pack_loaded",
            "The packs serving: 1 for each loaded pack, by name and version",
            packs.clone(),
        );
        for outcome in ["ok", "failed"] {
            reloads.get_or_create(&OutcomeLabels { outcome }).inc_by(0);
        }
        Metrics {
            registry,
            requests,
            latency,
            claims,
            findings,
            errors,
            reloads,
            packs,
        }
    }

    /// A request answered.
    pub fn request(&self, route: &'static str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(took.as_secs_f64());
        // A 503 of `/readyz` is an answer (still loading), not an error.
        if status >= 500 && route != "/readyz" {
            self.errors.get_or_create(&RouteLabels { route }).inc();
        }
    }

    /// The claims of a request judged.
    pub fn judged(&self, summary: &Summary) {
        let s = &summary.by_status;
        for (status, n) in [
            ("pass", s.pass),
            ("review", s.review),
            ("deny", s.deny),
            ("error", s.error),
        ] {
            self.claims
                .get_or_create(&StatusLabels { status })
                .inc_by(n);
        }
        let a = &summary.findings_by_action;
        for (action, n) in [
            ("deny", a.deny),
            ("review", a.review),
            ("suggest", a.suggest),
            ("modify", a.modify),
            ("info", a.info),
        ] {
            self.findings
                .get_or_create(&ActionLabels { action })
                .inc_by(n);
        }
    }

    /// A reload done, or refused.
    pub fn reload(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.reloads.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// The packs now serving, in place of those before.
    pub fn packs_loaded(&self, packs: &[Pack]) {
        self.packs.clear();
        for p in packs {
            self.packs
                .get_or_create(&PackLabels {
                    name: p.name.to_string(),
                    version: p.version.as_deref().unwrap_or("").to_string(),
                })
                .set(1);
        }
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a `String` cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// The route a request is counted under: its endpoint, so that the series stay few whatever
/// paths clients ask for.
pub fn route_of(path: &str) -> &'static str {
    match path {
        "/" => "/",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        "/v1/check" => "/v1/check",
        "/v1/packs" => "/v1/packs",
        "/v1/lint" => "/v1/lint",
        "/v1/try" => "/v1/try",
        "/v1/admin/reload" => "/v1/admin/reload",
        p if p == "/playground" || p.starts_with("/playground/") => "/playground",
        _ => "other",
    }
}
