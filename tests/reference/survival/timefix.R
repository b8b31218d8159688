# Cox on times in months computed from days two ways (tiny floating differences): R's
# coxph ties near-equal times by default (timefix = TRUE, survival::aeqSurv). Reference for
# fipeval.survival.cox(timefix=...) (tests/test_survival_cox.py::test_timefix_matches_r).
# timefix.csv was written by Python with 17 significant digits, so R reads the same doubles.
# Run from this folder: Rscript timefix.R > timefix.out
suppressPackageStartupMessages(library(survival))
options(digits = 15)
d <- read.csv("timefix.csv")
cat(sprintf("# R %s, survival %s\n", getRversion(), packageVersion("survival")))
out <- list()
for (tf in c(TRUE, FALSE)) {
  for (ties in c("efron", "breslow")) {
    f <- coxph(Surv(time, event) ~ x1 + x2, data = d, ties = ties, timefix = tf)
    g <- coxph(Surv(entry, time, event) ~ x1 + x2, data = d, ties = ties, timefix = tf)
    out[[length(out) + 1]] <- data.frame(timefix = tf, ties = ties, entry = FALSE,
      b1 = coef(f)[1], b2 = coef(f)[2], se1 = sqrt(diag(vcov(f)))[1],
      se2 = sqrt(diag(vcov(f)))[2], loglik = f$loglik[2])
    out[[length(out) + 1]] <- data.frame(timefix = tf, ties = ties, entry = TRUE,
      b1 = coef(g)[1], b2 = coef(g)[2], se1 = sqrt(diag(vcov(g)))[1],
      se2 = sqrt(diag(vcov(g)))[2], loglik = g$loglik[2])
  }
}
write.csv(format(do.call(rbind, out), digits = 15), stdout(), row.names = FALSE, quote = FALSE)
