# The golden figures of the round-over-round comparison by agency (contract §8), from R's survey
# package, computed apart from sipas: for each round the design of make-golden.R (strata = the
# agency, every response its own PSU unless `psu` names a cluster, weights N_h/n_h and fpc N_h
# from the frame), `svyby(~y + v, ~agency, svytotal, covmat = TRUE)` and `svycontrast` of every
# index Σ c_k y_k/v_k and item y_k/v_k per agency (`svytotal` and `svycontrast` for the whole
# round), df = degf() of each agency's domain; then the independent-samples formulas:
# diff = e1 − e2, se = sqrt(se1² + se2²), df = min(df1, df2), t = diff/se, p = 2 P(T_df > |t|).
#
# Usage: Rscript tests/golden/make-golden-compare.R CASE_DIR [OUT_FILE]
# CASE_DIR holds form.json, frame.csv, round1.csv and round2.csv; OUT_FILE defaults to
# CASE_DIR/expected.json (overwrites the committed figures; see tests/golden/README.md).
suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
argv <- commandArgs(trailingOnly = TRUE)
if (length(argv) < 1 || length(argv) > 2) stop("usage: make-golden-compare.R CASE_DIR [OUT_FILE]")
dir <- argv[1]
out <- if (length(argv) == 2) argv[2] else file.path(dir, "expected.json")
form <- fromJSON(file.path(dir, "form.json"), simplifyVector = FALSE)
frame <- read.csv(file.path(dir, "frame.csv"), colClasses = c(stratum = "character"))

qs <- unlist(lapply(form$sections, function(s) s$questions), recursive = FALSE)
qids <- vapply(qs, function(q) q$id, "")
coef_of <- function(id, w = 1) {
  ix <- Filter(function(i) i$id == id, form$indices)
  if (length(ix) == 0) return(setNames(w, id))
  ix <- ix[[1]]
  ch <- unlist(ix$of)
  ws <- if (is.null(ix$weights)) rep(1 / length(ch), length(ch)) else unlist(ix$weights)
  cf <- unlist(unname(Map(function(c, wc) coef_of(c, w * wc), ch, ws)))
  tapply(cf, names(cf), sum)[unique(names(cf))]
}
ests <- lapply(form$indices, function(ix) list(id = ix$id, coef = coef_of(ix$id)))
items <- unique(unlist(lapply(ests, function(e) names(e$coef))))
items <- qids[qids %in% items]
ests <- c(ests, lapply(items, function(k) list(id = k, coef = setNames(1, k))))

# one round: per group (NA = the whole round), per estimate: estimate, se, df, n (percent scale)
round_figures <- function(file) {
  d <- read.csv(file.path(dir, file), colClasses = "character", na.strings = "", check.names = FALSE)
  for (k in items) {
    pos <- unlist(form$scales[[qs[[match(k, qids)]]$scale]]$positive)
    code <- as.numeric(d[[k]])
    d[[paste0("v_", k)]] <- as.numeric(!is.na(code))
    d[[paste0("y_", k)]] <- as.numeric(!is.na(code) & code %in% pos)
  }
  d$stratum <- d$agency
  d$psu <- ifelse(is.na(d$psu), paste0(".row", seq_len(nrow(d))), paste0(d$agency, "/", d$psu))
  N_h <- as.numeric(frame$population[match(d$stratum, frame$stratum)])
  d$w <- N_h / as.vector(table(d$stratum)[d$stratum])
  d$N <- N_h
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~N, data = d, nest = TRUE)
  f <- as.formula(paste("~", paste(c(paste0("y_", items), paste0("v_", items)), collapse = " + ")))
  by <- svyby(f, ~agency, des, svytotal, covmat = TRUE)
  whole <- svytotal(f, des)
  expr_for <- function(e, prefix) {
    terms <- vapply(names(e$coef), function(k) sprintf("%.17g * `%sy_%s` / `%sv_%s`", e$coef[[k]], prefix, k,
                                                        prefix, k), "")
    parse(text = paste(terms, collapse = " + "))[[1]]
  }
  n_under <- function(rows, e) sum(rowSums(as.matrix(d[rows, paste0("v_", names(e$coef)), drop = FALSE])) > 0)
  groups <- c(NA, sort(unique(d$agency)))
  res <- list()
  for (g in groups) {
    rows <- if (is.na(g)) rep(TRUE, nrow(d)) else d$agency == g
    df <- if (is.na(g)) degf(des) else degf(subset(des, agency == g))
    obj <- if (is.na(g)) whole else by
    prefix <- if (is.na(g)) "" else paste0(g, ":")
    sc <- svycontrast(obj, setNames(lapply(ests, expr_for, prefix = prefix), vapply(ests, function(e) e$id, "")))
    res[[if (is.na(g)) ".all" else g]] <- list(n = sum(rows), est = lapply(seq_along(ests), function(i) list(
      estimate = 100 * unname(coef(sc)[i]), se = 100 * unname(SE(sc)[i]), df = df, n = n_under(rows, ests[[i]]))))
  }
  res
}
r1 <- round_figures("round1.csv")
r2 <- round_figures("round2.csv")
groups <- list()
for (g in names(r1)) {
  if (is.null(r2[[g]])) next
  cmp <- lapply(seq_along(ests), function(i) {
    a <- r1[[g]]$est[[i]]; b <- r2[[g]]$est[[i]]
    se <- sqrt(a$se^2 + b$se^2); df <- min(a$df, b$df); t <- (a$estimate - b$estimate) / se
    list(index = ests[[i]]$id, estimate = a$estimate, against = b$estimate, diff = a$estimate - b$estimate,
         se = se, df = df, t = t, p_value = 2 * pt(-abs(t), df), n = a$n, n_against = b$n)
  })
  by <- if (g == ".all") setNames(list(), character(0)) else list(agency = g)
  groups[[length(groups) + 1]] <- list(by = by, n = r1[[g]]$n, n_against = r2[[g]]$n, comparisons = cmp)
}
writeLines(toJSON(list(survey_package = as.character(packageVersion("survey")), groups = groups),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE), out)
cat(sprintf("%s: %d groups\n", out, length(groups)))
