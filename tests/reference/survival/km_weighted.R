# Kaplan-Meier and RMST with non-integer weights and clusters: R's default (robust,
# infinitesimal-jackknife) standard errors and Greenwood's on request.
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript tests/reference/survival/km_weighted.R
# Writes km_weighted.csv (the data) and km_weighted.out (CSV, 17 digits).
# The RMST's robust SE is not printed by R (print.survfit's rmean SE is Greenwood-type even
# with weights); it is computed here from survfit's own influence values (influence = TRUE):
# the RMST influence of a cluster is the area under its survival influence up to tau.
library(survival)
set.seed(42)
n <- 300
d <- data.frame(
  time = pmax(1, round(rexp(n, 0.08) + 0.5)),        # integer months: many ties
  event = rbinom(n, 1, 0.75),
  fip = rep(0:1, length.out = n),
  w = round(runif(n, 0.2, 2.5), 3),
  cl = sample(1:14, n, replace = TRUE))
d$entry <- ifelse(runif(n) < 0.3, pmin(d$time - 0.5, round(runif(n, 0, 4))), 0)
d$cl <- d$cl + 100 * d$fip                           # clusters nested in the arms
write.csv(d, "tests/reference/survival/km_weighted.csv", row.names = FALSE)
fmt <- function(v) sprintf("%.17g", v)
out <- c(sprintf("# R %s, survival %s", getRversion(), packageVersion("survival")),
         "case,group,quantity,time,value")
emit <- function(case, group, quantity, time, value)
  out <<- c(out, paste(case, group, quantity, fmt(time), fmt(value), sep = ","))
curves <- list(
  robust = function(s) survfit(Surv(time, event) ~ 1, data = s, weights = w),
  greenwood = function(s) survfit(Surv(time, event) ~ 1, data = s, weights = w, robust = FALSE),
  cluster = function(s) survfit(Surv(time, event) ~ 1, data = s, weights = w, cluster = cl),
  entry_robust = function(s) survfit(Surv(entry, time, event) ~ 1, data = s, weights = w),
  entry_cluster = function(s) survfit(Surv(entry, time, event) ~ 1, data = s, weights = w,
                                      cluster = cl))
for (case in names(curves)) for (g in 0:1) {
  f <- curves[[case]](d[d$fip == g, ])
  se <- if (f$logse) f$std.err * f$surv else f$std.err   # SE of S(t)
  for (k in seq_along(f$time)) {
    emit(case, g, "surv", f$time[k], f$surv[k])
    emit(case, g, "se", f$time[k], se[k])
    emit(case, g, "lower", f$time[k], f$lower[k])
    emit(case, g, "upper", f$time[k], f$upper[k])
  }
}
tau <- 20
rmst_if <- function(s, cluster) {
  f <- if (cluster) survfit(Surv(time, event) ~ 1, data = s, weights = w, cluster = cl,
                            influence = TRUE)
       else survfit(Surv(time, event) ~ 1, data = s, weights = w, influence = TRUE)
  t <- f$time[f$time < tau]
  width <- diff(c(t, tau))
  S <- f$surv[f$time < tau]
  U <- f$influence.surv[, f$time < tau, drop = FALSE]
  list(rmst = sum(c(t[1], width) * c(1, S)), infl = drop(U %*% width),
       ids = rownames(f$influence.surv))
}
for (cluster in c(FALSE, TRUE)) {
  case <- if (cluster) "rmst_cluster" else "rmst_robust"
  r <- lapply(0:1, function(g) rmst_if(d[d$fip == g, ], cluster))
  for (g in 0:1) {
    emit(case, g, "rmst", tau, r[[g + 1]]$rmst)
    emit(case, g, "se", tau, sqrt(sum(r[[g + 1]]$infl^2)))
  }
  # clusters (or rows) are nested in the arms: the difference's influences are the union
  emit(case, "diff", "estimate", tau, r[[2]]$rmst - r[[1]]$rmst)
  emit(case, "diff", "se", tau, sqrt(sum(r[[1]]$infl^2) + sum(r[[2]]$infl^2)))
}
for (g in 0:1) {   # print.survfit's rmean and its (Greenwood-type) SE
  f <- survfit(Surv(time, event) ~ 1, data = d[d$fip == g, ], weights = w, robust = FALSE)
  tab <- summary(f, rmean = tau)$table
  emit("rmst_greenwood", g, "rmst", tau, tab[["rmean"]])
  emit("rmst_greenwood", g, "se", tau, tab[["se(rmean)"]])
}
writeLines(out, "tests/reference/survival/km_weighted.out")
