# make-quantiles.R - R's qbeta and qt on a grid of shapes and tail probabilities, the figures the
# unit test test-est-quantile compares sipas's quantiles (analysis/est-quantile.c) with.
# Usage: Rscript tests/golden/make-quantiles.R OUT_DIR   (writes beta.csv and t.csv)
# The committed files (tests/golden/quantiles/) were made with this script; see the README.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: make-quantiles.R OUT_DIR")
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)

probs <- c(1e-6, 1e-4, 0.005, 0.025, 0.3, 0.5, 0.7, 0.975, 0.995, 1 - 1e-4, 1 - 1e-6)
# small shapes, the Korn–Graubard shapes of the issue (about 516 and 30) and large ones to 10^6
shapes <- c(0.05, 0.5, 1, 2.5, 30, 516.3, 1e3, 1.5e4, 1e5, 1e6)
g <- expand.grid(p = probs, b = shapes, a = shapes)[, c("p", "a", "b")]
g$q <- mapply(function(p, a, b) qbeta(p, a, b), g$p, g$a, g$b)
fmt <- function(x) trimws(formatC(x, digits = 17, format = "g"))
write.table(data.frame(p = fmt(g$p), a = fmt(g$a), b = fmt(g$b), q = fmt(g$q)),
            file.path(out, "beta.csv"), sep = ",", quote = FALSE, row.names = FALSE)

dfs <- c(0.5, 1, 2, 3, 5, 10, 29, 30, 31, 100, 294, 1e3, 1e4, 1e5, 1e6)
h <- expand.grid(p = probs, df = dfs)
h$q <- mapply(function(p, df) qt(p, df), h$p, h$df)
write.table(data.frame(p = fmt(h$p), df = fmt(h$df), q = fmt(h$q)),
            file.path(out, "t.csv"), sep = ",", quote = FALSE, row.names = FALSE)
cat(sprintf("%s: %d beta and %d t quantiles (R %s)\n", out, nrow(g), nrow(h), getRversion()))
