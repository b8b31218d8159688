# Full-precision references for every Cox-type model that tests/test_survival_cox.py and
# tests/test_survival_competing.py check against R (survival_ref.R, ties_check.R,
# lt_cluster.R, separation.R print about 7 to 10 significant digits; this prints 17).
# Reference for tests/test_survival_precise.py.
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript tests/reference/survival/cox_precise.R
# Reads the existing CSV files in tests/reference/survival/ (it writes no data) and writes
# tests/reference/survival/cox_precise.out: a "# R <version>, survival <version>" line, then
# CSV lines model,quantity,term,value with values as sprintf("%.17g"):
#   coef         coefficient (NA where R drops an infinite coefficient)
#   se           the reported SE: robust (sandwich) when the fit is robust, else model-based
#   naive_se     model-based SE, sqrt(diag(inverse information))
#   loglik_null  log partial likelihood at beta = 0;  loglik  at the estimate
#   score        score (log-rank) test at beta = 0 (fit$score, model-based)
#   wald         Wald test of all coefficients = 0 with the reported variance (fit$wald.test)
#   iter         Newton-Raphson iterations R used (information only)
# Convergence: R's default coxph.control() (eps = 1e-9 on the relative change of the log
# partial likelihood, iter.max = 20), the stopping rule fipeval uses (fipeval.survival.
# cox_model.TOLERANCE, not an option of cox()). Newton-Raphson is invariant to R's centring
# and scaling of the covariates, so both programs stop on the same iterate and agree to
# rounding (about 1e-13). A tightened coxph.control(eps = 1e-12, iter.max = 100) was tried
# and is NOT used: R then takes one more Newton step and its coefficients move by up to 2e-8
# relative (SE 8e-9) - the convergence error of the default stop, shared by both programs,
# which a reference for fipeval (no tolerance option) must not contain.
# The separation models (an infinite coefficient) are fitted as in separation.R: R drops
# `sep` (NA) and reports `age` and the log-likelihood at the limit beta_sep -> infinity (equal
# to 17 digits to the Cox fit of age with the risk sets before week 10 restricted to the
# `sep` rows); fipeval stops at a large finite coefficient, about 1e-8 relative from that
# limit (age 9e-9, its SE 1.6e-8, log-likelihood 2.8e-8).
suppressPackageStartupMessages(library(survival))
dir <- "tests/reference/survival"
csv <- function(name) read.csv(file.path(dir, name))
ctl <- coxph.control()   # R's defaults, stated explicitly
fmt <- function(v) sprintf("%.17g", v)
out <- c(sprintf("# R %s, survival %s", getRversion(), packageVersion("survival")),
         "model,quantity,term,value")
emit <- function(model, quantity, term, value)
  out <<- c(out, paste(model, quantity, term, fmt(value), sep = ","))
record <- function(model, f) {
  b <- coef(f)
  terms <- names(b)
  naive <- if (is.null(f$naive.var)) f$var else f$naive.var
  for (i in seq_along(b)) emit(model, "coef", terms[i], b[[i]])
  for (i in seq_along(b)) emit(model, "se", terms[i], sqrt(diag(f$var))[i])
  for (i in seq_along(b)) emit(model, "naive_se", terms[i], sqrt(diag(naive))[i])
  emit(model, "loglik_null", "", f$loglik[1])
  emit(model, "loglik", "", f$loglik[2])
  emit(model, "score", "", f$score)
  emit(model, "wald", "", f$wald.test)
  emit(model, "iter", "", f$iter)
}

X <- "fin + age + race + wexp + mar + paro + prio"
fml <- function(lhs, rhs = X, extra = "") as.formula(paste(lhs, "~", rhs, extra))

rossi <- csv("rossi.csv")
record("efron", coxph(fml("Surv(week, arrest)"), data = rossi, control = ctl))
record("breslow", coxph(fml("Surv(week, arrest)"), data = rossi, ties = "breslow",
                        control = ctl))
record("robust", coxph(fml("Surv(week, arrest)"), data = rossi, robust = TRUE, control = ctl))
record("strata_wexp", coxph(fml("Surv(week, arrest)", "fin + age + race + mar + paro + prio",
                                "+ strata(wexp)"), data = rossi, control = ctl))
record("cluster", coxph(fml("Surv(week, arrest)", X, "+ cluster(cl)"),
                        data = csv("rossi_clustered.csv"), control = ctl))
record("rats_cluster", coxph(Surv(time, status) ~ rx + cluster(litter),
                             data = csv("rats_female.csv"), control = ctl))
entry <- csv("rossi_entry.csv")
record("entry", coxph(fml("Surv(entry, week, arrest)"), data = entry, control = ctl))
record("entry_half", coxph(fml("Surv(entry5, week, arrest)"), data = csv("rossi_entry_half.csv"),
                           control = ctl))
noties <- csv("rossi_clustered_noties.csv")
record("noties_cluster", coxph(fml("Surv(weekj, arrest)", X, "+ cluster(cl)"), data = noties,
                               control = ctl))
record("noties_robust", coxph(fml("Surv(weekj, arrest)"), data = noties, robust = TRUE,
                              control = ctl))
record("entry_cluster_noties", coxph(fml("Surv(entry, weekj, arrest)", X, "+ cluster(cl)"),
                                     data = csv("rossi_lt_cluster_noties.csv"), control = ctl))
# weights + strata + delayed entry (entry times tie event times) + clusters, both ties: the
# model of test_cluster_robust_with_ties_and_delayed_entry_matches_definition, which has no
# R value in the older references (w and stratum built from rossi_entry.csv as there)
entry$w <- 1 + ((seq_len(nrow(entry)) - 1) %% 3) / 2
entry$stratum <- as.integer(entry$prio > 2)
for (ties in c("efron", "breslow"))
  record(paste0("weighted_entry_cluster_strata_", ties),
         coxph(fml("Surv(entry, week, arrest)", X, "+ strata(stratum) + cluster(cl)"),
               data = entry, weights = w, ties = ties, control = ctl))

# competing risks on mgus2 exactly as survival_ref.R section 6: PCM (1) vs death (2)
mg <- csv("mgus2_cr.csv")
mg$event_f <- factor(mg$event, 0:2, labels = c("censor", "pcm", "death"))
pdata <- finegray(Surv(etime, event_f) ~ ., data = mg[, c("age", "sex", "etime", "event_f")],
                  etype = "pcm")
record("fine_gray", coxph(Surv(fgstart, fgstop, fgstatus) ~ age + sex, weights = fgwt,
                          data = pdata, control = ctl))
# case weights w = 1 + sex (test_fine_gray_case_weights): finegray multiplies its censoring
# weights by them (the censoring curve itself is unweighted)
mg$w <- 1 + mg$sex
pw <- finegray(Surv(etime, event_f) ~ ., data = mg[, c("age", "sex", "etime", "event_f", "w")],
               weights = w, etype = "pcm")
record("fine_gray_weighted", coxph(Surv(fgstart, fgstop, fgstatus) ~ age + sex, weights = fgwt,
                                   data = pw, control = ctl))
record("cause_specific", coxph(Surv(etime, event == 1) ~ age + sex, data = mg, control = ctl))

# perfect separation (separation.R): R's default control, warning silenced
rossi$sep <- as.numeric(rossi$arrest == 1 & rossi$week < 10)
for (robust in c(FALSE, TRUE))
  record(if (robust) "separation_robust" else "separation",
         suppressWarnings(coxph(Surv(week, arrest) ~ sep + age, data = rossi, ties = "efron",
                                robust = robust)))

writeLines(out, file.path(dir, "cox_precise.out"))
