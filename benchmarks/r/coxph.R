# survival::coxph with Efron ties, delayed entry, strata and cluster-robust SE, timed, for
# benchmarks/peers_national.py and benchmarks/bench_survival.py. Called as
#   Rscript coxph.R <input dir> <output json> <repeats> <options json>
# The input dir holds what rpeer.write_columns() writes (read by common.R's read_columns):
# numbers bit-identical to the Python side, text columns (cluster, strata). Options (JSON): duration, event, entry (or null),
# covariates, cluster (or null), strata (or null), ties, counting (without entry: write
# Surv(0, duration, event), the same model; see below).
# The model is coxph(Surv(entry, duration, event) ~ covariates + strata(s), cluster = c,
# ties = ties): R's robust (sandwich) variance summed by cluster, no small-sample factor.
# Writes the output JSON: versions, per-run CPU (user + system) and wall seconds from
# proc.time(), coefficients and robust standard errors.
suppressPackageStartupMessages(library(survival))
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "common.R"))

a <- script_args()
opt <- a$opt
d <- read_columns(a$input)
if (is.null(opt$entry) && isTRUE(opt$counting)) {
  # the same model in counting-process form: coxph's robust variance then uses agscore3,
  # which is fast, instead of the right-censored coxscore2, which grows quadratically
  d$.zero <- 0
  opt$entry <- ".zero"
}
surv <- if (is.null(opt$entry)) {
  sprintf("Surv(%s, %s)", opt$duration, opt$event)
} else {
  sprintf("Surv(%s, %s, %s)", opt$entry, opt$duration, opt$event)
}
rhs <- paste(opt$covariates, collapse = " + ")
if (!is.null(opt$strata)) rhs <- paste0(rhs, " + strata(", opt$strata, ")")
f <- as.formula(paste(surv, "~", rhs))

run <- function() {
  if (is.null(opt$cluster)) {
    coxph(f, data = d, ties = opt$ties)
  } else {
    coxph(f, data = d, ties = opt$ties, cluster = d[[opt$cluster]])
  }
}

timed <- time_runs(run, a$repeats)
fit <- timed$value
res <- list(peak_extra_mb = timed$peak_extra_mb,
            survival_version = as.character(packageVersion("survival")),
            r_version = R.version.string, repeats = a$repeats, cpu_s = I(timed$cpu),
            wall_s = I(timed$wall),
            n = fit$n, events = fit$nevent, iterations = fit$iter,
            coef = I(unname(coef(fit))), std_error = I(unname(sqrt(diag(vcov(fit))))),
            formula = paste(deparse(f), collapse = ""))
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA), a$output)
