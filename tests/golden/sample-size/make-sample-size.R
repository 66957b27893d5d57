# make-sample-size.R - the expected sample sizes of `sipas sample draw` (contract §6,
# docs/sipas-method.md §10), computed by R (base stats: qnorm) over a grid of cases, written as
# cases.csv. tests/unit/test-sample-size.c checks the C code against the committed file;
# the golden-r suite reruns this script and compares (skips without Rscript).
#
# usage: Rscript make-sample-size.R OUT.csv
# The ceilings take a quotient within 1e-9 (relative) above a whole number as that number, as
# the method says (floating-point noise must not add a person).
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "cases.csv"
ceil_ratio <- function(x) { f <- floor(x); ifelse(x - f <= 1e-9 * pmax(f, 1), f, f + 1) }
g <- expand.grid(N = c(1, 2, 5, 20, 29, 30, 31, 100, 257, 1000, 10000, 1e6),
                 margin = c(3, 5, 10), confidence = c(0.9, 0.95, 0.99), p = c(0.5, 0.3),
                 deff = c(1, 1.5), min = c(0, 30), response_rate = c(1, 0.6, 0.3))
z <- qnorm(1 - (1 - g$confidence) / 2)
g$n0 <- z^2 * g$p * (1 - g$p) * g$deff / (g$margin / 100)^2
t <- ceil_ratio(g$n0 / (1 + (g$n0 - 1) / g$N))
t <- pmin(t, g$N)
t <- pmax(t, pmin(g$min, g$N))
g$target <- pmin(t, g$N)
g$invitations <- pmin(g$N, ceil_ratio(g$target / g$response_rate))
g$n0 <- sprintf("%.17g", g$n0)
write.csv(g, out, row.names = FALSE, quote = FALSE)
