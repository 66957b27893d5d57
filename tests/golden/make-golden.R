# The golden figures from R's survey package.
#
# Usage: Rscript tests/golden/make-golden.R SETS_DIR [OUT_DIR]
#
# For every set of SETS_DIR (a folder holding `args`, `form.json`, `responses.csv` and perhaps
# `frame.csv`), reads the design the way `sipas analyze` reads it from `args` (docs/cli.md,
# analyze) and writes OUT_DIR/SET/expected.json, expected-wald.json and expected-beta.json in
# the estimates format of docs/formats.md, with R's figures: logit, wald and beta intervals.
# OUT_DIR defaults to SETS_DIR (overwrites the committed figures; see tests/golden/README.md).
#
# The method (docs/method.md): a design of strata (`stratum`, default the agency), PSUs (`psu`,
# default each response), weights (`weight`, else N_h/n_h from the frame, else 1) and fpc
# (`fpc`, else the frame's population, else none), `svydesign(..., nest = TRUE)`; for each group
# (the whole survey, then each value of the --by columns) the domain `subset()` of the design,
# `svytotal` of the indicators y_k (a satisfied answer) and v_k (a valid answer) of every item,
# and `svycontrast` of the index Σ c_k y_k/v_k (c_k the product of weights down the form's
# index tree) for the estimate and its linearised standard error; df = degf() of the domain.
# Intervals: items through `svyciprop` (method "logit" and "mean" with df = the domain's degf;
# "beta" as svyciprop's Korn-Graubard formula with n = the item's valid answers and the domain's
# degf); indices keep logit in the beta file and use the same formulas on the svycontrast se.
# Packages: survey (4.1.1 made the committed files) and jsonlite.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

argv <- commandArgs(trailingOnly = TRUE)
if (length(argv) < 1 || length(argv) > 2) {
  stop("usage: Rscript make-golden.R SETS_DIR [OUT_DIR]")
}
sets_dir <- argv[1]
out_dir <- if (length(argv) == 2) argv[2] else sets_dir

level <- 0.95
alpha <- 1 - level

# --- the arguments of `sipas analyze`, as the set's `args` file gives them ---------------------
parse_args <- function(path) {
  words <- scan(path, what = "", quiet = TRUE)
  a <- list(by = character(0), baseline = NA_real_, frame = NA_character_, lonely = "fail")
  i <- 1
  while (i <= length(words)) {
    w <- words[i]
    v <- if (i < length(words)) words[i + 1] else NA
    if (w == "--form") { a$form <- v; i <- i + 2 }
    else if (w == "--by") { a$by <- c(a$by, v); i <- i + 2 }
    else if (w == "--baseline") { a$baseline <- as.numeric(v); i <- i + 2 }
    else if (w == "--frame") { a$frame <- v; i <- i + 2 }
    else if (w == "--lonely-psu") { a$lonely <- v; i <- i + 2 }
    else if (w == "--ci") { i <- i + 2 }
    else if (startsWith(w, "--")) stop("unknown option in args: ", w)
    else { a$responses <- w; i <- i + 1 }
  }
  a
}

# --- the form: questions, items and index coefficients -----------------------------------------
form_questions <- function(form) {
  unlist(lapply(form$sections, function(s) s$questions), recursive = FALSE)
}

# c_k of every item under index `id` (products of weights down the tree), as a named vector
coefficients_of <- function(form, id, w = 1) {
  ix <- Filter(function(i) i$id == id, form$indices)
  if (length(ix) == 0) return(setNames(w, id))
  ix <- ix[[1]]
  children <- unlist(ix$of)
  ws <- if (is.null(ix$weights)) rep(1 / length(children), length(children)) else unlist(ix$weights)
  cf <- unlist(unname(Map(function(child, wc) coefficients_of(form, child, w * wc), children, ws)))
  tapply(cf, names(cf), sum)[unique(names(cf))]
}

# the estimates of a group, in the order of the output: the indices, then the items they use
estimate_list <- function(form) {
  qs <- form_questions(form)
  qids <- vapply(qs, function(q) q$id, "")
  used <- character(0)
  out <- list()
  for (ix in form$indices) {
    cf <- coefficients_of(form, ix$id)
    used <- union(used, names(cf))
    out[[length(out) + 1]] <- list(id = ix$id, label = ix$label, coef = cf)
  }
  for (k in qids[qids %in% used]) {
    q <- qs[[match(k, qids)]]
    out[[length(out) + 1]] <- list(id = k, label = q$text, coef = setNames(1, k))
  }
  out
}

# --- one set ------------------------------------------------------------------------------------
make_set <- function(set_dir, out_set) {
  a <- parse_args(file.path(set_dir, "args"))
  form <- fromJSON(file.path(set_dir, a$form), simplifyVector = FALSE)
  d <- read.csv(file.path(set_dir, a$responses), colClasses = "character",
                na.strings = "", check.names = FALSE, encoding = "UTF-8")
  ests <- estimate_list(form)
  qs <- form_questions(form)
  qids <- vapply(qs, function(q) q$id, "")
  items <- unique(unlist(lapply(ests, function(e) names(e$coef))))

  # y_k and v_k per item
  for (k in items) {
    q <- qs[[match(k, qids)]]
    positive <- unlist(form$scales[[q$scale]]$positive)
    code <- as.numeric(d[[k]])
    d[[paste0("v_", k)]] <- as.numeric(!is.na(code))
    d[[paste0("y_", k)]] <- as.numeric(!is.na(code) & code %in% positive)
  }

  # strata, PSUs, weights and fpc, with the defaults of docs/formats.md (responses CSV)
  if (is.null(d$stratum)) d$stratum <- d$agency
  d$stratum <- ifelse(is.na(d$stratum), d$agency, d$stratum)
  if (is.null(d$psu)) d$psu <- NA_character_
  d$psu <- ifelse(is.na(d$psu), paste0(".row", seq_len(nrow(d))), d$psu)
  frame <- if (is.na(a$frame)) NULL else read.csv(file.path(set_dir, a$frame),
                                                  colClasses = c(stratum = "character"))
  N_h <- if (is.null(frame)) rep(NA_real_, nrow(d)) else
    as.numeric(frame$population[match(d$stratum, frame$stratum)])
  n_h <- as.vector(table(d$stratum)[d$stratum])
  given_w <- if (is.null(d$weight)) rep(NA_real_, nrow(d)) else as.numeric(d$weight)
  d$w <- ifelse(!is.na(given_w), given_w, ifelse(!is.na(N_h), N_h / n_h, 1))
  given_fpc <- if (is.null(d$fpc)) rep(NA_real_, nrow(d)) else as.numeric(d$fpc)
  d$N <- ifelse(!is.na(given_fpc), given_fpc, N_h)
  has_fpc <- !all(is.na(d$N))

  options(survey.lonely.psu = a$lonely)
  des <- if (has_fpc) {
    svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~N, data = d, nest = TRUE)
  } else {
    svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
  }

  # the groups: the whole survey, then each combination of the --by values, sorted by value
  # (question codes as numbers); a row with a blank --by value is in the whole survey only
  keys <- list(list(by = setNames(list(), character(0)), rows = rep(TRUE, nrow(d))))
  if (length(a$by) > 0) {
    bycols <- d[a$by]
    complete <- stats::complete.cases(bycols)
    combos <- unique(bycols[complete, , drop = FALSE])
    sortable <- lapply(a$by, function(b) {
      if (b %in% qids) as.numeric(combos[[b]]) else combos[[b]]
    })
    combos <- combos[do.call(order, unname(sortable)), , drop = FALSE]
    for (r in seq_len(nrow(combos))) {
      rows <- complete
      by <- list()
      for (b in a$by) {
        rows <- rows & bycols[[b]] %in% combos[[b]][r]
        by[[b]] <- if (b %in% qids) as.numeric(combos[[b]][r]) else combos[[b]][r]
      }
      keys[[length(keys) + 1]] <- list(by = by, rows = rows)
    }
  }

  variants <- list(logit = list(), wald = list(), beta = list())
  for (g in keys) {
    dg <- if (all(g$rows)) des else subset(des, g$rows)
    df <- degf(dg)
    yv <- c(paste0("y_", items), paste0("v_", items))
    tot <- svytotal(reformulate(yv), dg)
    Y <- coef(tot)[paste0("y_", items)]
    V <- coef(tot)[paste0("v_", items)]
    names(Y) <- names(V) <- items
    tq <- qt(1 - alpha / 2, df)
    out <- list(logit = list(), wald = list(), beta = list())
    for (e in ests) {
      ks <- names(e$coef)[e$coef != 0]
      n <- sum(g$rows & Reduce(`|`, lapply(ks, function(k) d[[paste0("v_", k)]] == 1)))
      base <- list(index = e$id, label = e$label)
      if (any(V[ks] == 0)) {
        rec <- c(base, list(estimate = NA, se = NA, ci_low = NA, ci_high = NA, df = df, n = n))
        for (m in names(out)) out[[m]][[length(out[[m]]) + 1]] <- rec
        next
      }
      r <- Y[ks] / V[ks]
      is_item <- length(e$coef) == 1 && e$id %in% items
      if (all(r == 0 | r == 1)) {
        # every item at 0 or 100%: R's linearised variable is 0 in every response
        p <- sum(e$coef[ks] * r)
        se <- 0
      } else {
        expr <- parse(text = paste(sprintf("%.17g * y_%s / v_%s", e$coef[ks], ks, ks),
                                   collapse = " + "))[[1]]
        con <- svycontrast(tot, list(est = expr))
        p <- unname(coef(con))
        se <- unname(SE(con))
      }
      cis <- list()
      if (se == 0) {
        cis$logit <- cis$wald <- cis$beta <- c(p, p)
      } else if (is_item) {
        # svyciprop on the group's valid answers to the item, on the group's degrees of freedom
        vk <- dg$variables[[paste0("v_", e$id)]] == 1
        dk <- subset(dg, vk)
        f <- reformulate("1", response = paste0("y_", e$id))
        cis$logit <- as.numeric(attr(svyciprop(f, dk, method = "logit", df = df), "ci"))
        cis$wald <- as.numeric(attr(svyciprop(f, dk, method = "mean", df = df), "ci"))
        # svyciprop(method = "beta") takes degf() of its design, the valid answers' PSUs; the
        # method's df is the group's (docs/method.md, intervals), so its formula on that df:
        nk <- sum(g$rows & d[[paste0("v_", e$id)]] == 1)
        neff <- p * (1 - p) / se^2 * (qt(alpha / 2, nk - 1) / qt(alpha / 2, df))^2
        cis$beta <- c(qbeta(alpha / 2, neff * p, neff * (1 - p) + 1),
                      qbeta(1 - alpha / 2, neff * p + 1, neff * (1 - p)))
      } else {
        half <- tq * se / (p * (1 - p))
        cis$logit <- plogis(qlogis(p) + c(-half, half))
        cis$wald <- p + c(-1, 1) * tq * se
        cis$beta <- cis$logit
      }
      for (m in names(out)) {
        rec <- c(base, list(estimate = 100 * p, se = 100 * se,
                            ci_low = 100 * cis[[m]][1], ci_high = 100 * cis[[m]][2],
                            df = df, n = n))
        if (!is.na(a$baseline)) {
          diff <- 100 * p - a$baseline
          tt <- if (se > 0) diff / (100 * se) else NA
          rec$vs_baseline <- list(diff = diff, t = tt,
                                  p_value = if (se > 0) 2 * pt(-abs(tt), df) else NA)
        }
        out[[m]][[length(out[[m]]) + 1]] <- rec
      }
    }
    for (m in names(out)) {
      variants[[m]][[length(variants[[m]]) + 1]] <- list(by = g$by, n = sum(g$rows),
                                                          estimates = out[[m]])
    }
  }

  dir.create(out_set, recursive = TRUE, showWarnings = FALSE)
  files <- c(logit = "expected.json", wald = "expected-wald.json", beta = "expected-beta.json")
  for (m in names(files)) {
    doc <- list(form = form$id, confidence = level, ci_method = m)
    if (!is.na(a$baseline)) doc$baseline <- list(value = a$baseline)
    doc$groups <- variants[[m]]
    json <- toJSON(doc, auto_unbox = TRUE, pretty = TRUE, digits = NA, na = "null")
    writeLines(json, file.path(out_set, files[[m]]), useBytes = TRUE)
  }
}

sets <- sort(list.dirs(sets_dir, full.names = FALSE, recursive = FALSE))
sets <- sets[file.exists(file.path(sets_dir, sets, "args"))]
if (length(sets) == 0) stop("no golden sets in ", sets_dir)
for (s in sets) {
  make_set(file.path(sets_dir, s), file.path(out_dir, s))
  cat("wrote", file.path(out_dir, s), "\n")
}
