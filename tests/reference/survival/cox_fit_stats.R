# Fit statistics of coxph that summary() prints: concordance (Harrell's C with its pair
# counts), likelihood-ratio, Wald and score tests, AIC. Reference for
# fipeval.survival.cox (tests/test_survival_cox.py::test_fit_statistics_match_r).
# Run from this folder: Rscript cox_fit_stats.R > cox_fit_stats.csv
suppressPackageStartupMessages(library(survival))
rossi <- read.csv("rossi.csv")
entry <- read.csv("rossi_entry.csv")
fits <- list(
  efron = coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi),
  breslow = coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi,
                  ties = "breslow"),
  strata_wexp = coxph(Surv(week, arrest) ~ fin + age + race + mar + paro + prio + strata(wexp),
                      data = rossi),
  entry = coxph(Surv(entry, week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
                data = entry)
)
rows <- lapply(names(fits), function(name) {
  f <- fits[[name]]
  cc <- f$concordance
  data.frame(model = name, concordant = cc[["concordant"]], discordant = cc[["discordant"]],
             tied_x = cc[["tied.x"]], tied_y = cc[["tied.y"]], concordance = cc[["concordance"]],
             concordance_se = cc[["std"]],
             lr = 2 * diff(f$loglik), wald = f$wald.test, score = f$score, df = length(coef(f)),
             aic = AIC(f), loglik = f$loglik[2])
})
out <- do.call(rbind, rows)
cat(sprintf("# R %s, survival %s\n", getRversion(), packageVersion("survival")))
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)  # 15 significant digits
