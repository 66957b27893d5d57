# The same estimates with R's survey package: stratified design with weights N_h/n_h and fpc
# from the frame; per item the ratio of weighted totals (svytotal of the 0/1 indicators y and v,
# then svycontrast for y/v and for the element and headline means), for the whole survey and
# each agency. Reading the CSV is included in the time.
# Usage: Rscript survey.R responses.csv frame.csv out.csv
suppressMessages(library(survey))
args <- commandArgs(TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1], stringsAsFactors = FALSE, colClasses = c(serial = "character"))
fr <- read.csv(args[2], stringsAsFactors = FALSE)
items <- grep("^S[0-9]+_[0-9]+$", names(d), value = TRUE)
nh <- table(d$stratum)
d$fpc <- fr$population[match(d$stratum, fr$stratum)]
d$w <- d$fpc / as.numeric(nh[d$stratum])
for (it in items) {
  a <- d[[it]]
  d[[paste0("v_", it)]] <- as.numeric(!is.na(a))
  d[[paste0("y_", it)]] <- as.numeric(!is.na(a) & a >= 4)
}
des <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d)
f <- as.formula(paste("~", paste(c(paste0("y_", items), paste0("v_", items)), collapse = "+")))
ratio <- function(it) paste0("y_", it, "/v_", it)
elements <- split(items, sub("_.*", "", items))
el <- sapply(elements, function(its) paste0("(", paste(ratio(its), collapse = "+"), ")/", length(its)))
exprs <- c(list(sipas = parse(text = paste0("(", paste(el, collapse = "+"), ")/", length(el)))[[1]]),
           lapply(el, function(e) parse(text = e)[[1]]),
           setNames(lapply(items, function(it) parse(text = ratio(it))[[1]]), items))
one <- function(design, group) {
  s <- svycontrast(svytotal(f, design), exprs)
  data.frame(group = group, index = names(exprs), estimate = 100 * coef(s), se = 100 * SE(s),
             df = degf(design), row.names = NULL)
}
out <- list(one(des, ""))
for (g in sort(unique(d$agency)))
  out[[length(out) + 1]] <- one(subset(des, agency == g), g)
res <- do.call(rbind, out)
write.csv(res, args[3], row.names = FALSE)
cat(sprintf("R_SECONDS %.3f\n", proc.time()[["elapsed"]] - t0))
