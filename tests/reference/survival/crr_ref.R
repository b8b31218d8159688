# Fine-Gray subdistribution hazards regression with cmprsk::crr (Fine & Gray 1999):
# coefficients, crr's `var` (sandwich including the term for the estimated censoring
# distribution), its square-root diagonal (SE) and the log pseudo-likelihood.
# Reference for fipeval.survival._crr.crr_fit (tests/test_survival_crr.py).
# R 4.2.2, cmprsk 2.2-11 (survival 3.5-3 for mgus2 and crr's internal survfit).
# Run from the repository root:
#   Rscript tests/reference/survival/crr_ref.R
# Writes crr_ref.csv (the data, long format: dataset,time,status,x1,x2) and crr_ref.out
# (CSV lines fit,dataset,failcode,quantity,i,j,value, values with 17 significant digits).
# Data sets:
#   a     n = 200, two continuous covariates, integer times (many ties, censorings tied
#         with failures), status 0 censored, 1, 2; fitted for failcode 1 and failcode 2
#   b     n = 800, times in months round(days / 30.4375, 4) (ties where days tie),
#         x1 a binary treatment, x2 continuous
#   c     survival::mgus2 (the same rows as mgus2_cr.csv): time = etime =
#         ifelse(pstat == 0, futime, ptime), status = event = ifelse(pstat == 0, 2 * death, 1),
#         x1 = age, x2 = sex (1 = M); failcode 1 (progression), 2 is death
suppressPackageStartupMessages({library(survival); library(cmprsk)})
dir <- "tests/reference/survival"

set.seed(20240611)
n <- 200
x1 <- rnorm(n); x2 <- runif(n, -1, 1)
t1 <- rexp(n, 0.05 * exp(0.6 * x1 - 0.4 * x2))
t2 <- rexp(n, 0.04 * exp(-0.3 * x1 + 0.7 * x2))
cens <- runif(n, 2, 45)
tt <- pmin(t1, t2, cens)
a <- data.frame(dataset = "a", time = pmax(1, round(tt)),
                status = ifelse(cens <= pmin(t1, t2), 0, ifelse(t1 < t2, 1, 2)), x1 = x1, x2 = x2)
tied_cens <- intersect(a$time[a$status == 0], a$time[a$status == 1])
stopifnot(length(tied_cens) >= 5, any(duplicated(a$time[a$status == 1])))

set.seed(7)
n <- 800
trt <- rbinom(n, 1, 0.5); z <- rnorm(n, 50, 10)
d1 <- rexp(n, 1 / 900 * exp(-0.5 * trt + 0.02 * (z - 50)))
d2 <- rexp(n, 1 / 1400 * exp(0.2 * trt + 0.03 * (z - 50)))
dc <- runif(n, 100, 1800)
days <- ceiling(pmin(d1, d2, dc))
b <- data.frame(dataset = "b", time = round(days / 30.4375, 4),
                status = ifelse(dc <= pmin(d1, d2), 0, ifelse(d1 < d2, 1, 2)), x1 = trt, x2 = z)
stopifnot(any(duplicated(b$time[b$status == 1])))

mg <- mgus2
mg$etime <- ifelse(mg$pstat == 0, mg$futime, mg$ptime)
mg$event <- ifelse(mg$pstat == 0, 2 * mg$death, 1)
mgc <- read.csv(file.path(dir, "mgus2_cr.csv"))
stopifnot(nrow(mgc) == nrow(mg), all(mgc$etime == mg$etime), all(mgc$event == mg$event),
          all(mgc$age == mg$age), all(mgc$sex == as.integer(mg$sex == "M")))
cc <- data.frame(dataset = "c", time = mg$etime, status = mg$event, x1 = mg$age,
                 x2 = as.integer(mg$sex == "M"))

all_data <- rbind(a, b, cc)
write.csv(all_data, file.path(dir, "crr_ref.csv"), row.names = FALSE)

# Fit on the data as written (read back), so R and Python see the same doubles.
dd <- read.csv(file.path(dir, "crr_ref.csv"))
fits <- list(a = list("a", 1), a_failcode2 = list("a", 2), b = list("b", 1), c = list("c", 1))
fmt <- function(v) sprintf("%.17g", v)
out <- c(sprintf("# R %s, cmprsk %s, survival %s", getRversion(), packageVersion("cmprsk"),
                 packageVersion("survival")),
         "fit,dataset,failcode,quantity,i,j,value")
for (name in names(fits)) {
  ds <- fits[[name]][[1]]; fc <- fits[[name]][[2]]
  s <- dd[dd$dataset == ds, ]
  f <- crr(s$time, s$status, cbind(x1 = s$x1, x2 = s$x2), failcode = fc, cencode = 0)
  stopifnot(f$converged)
  emit <- function(q, i, j, v) out <<- c(out, paste(name, ds, fc, q, i, j, fmt(v), sep = ","))
  k <- length(f$coef)
  for (i in 1:k) emit("coef", i, 0, f$coef[i])
  for (i in 1:k) emit("se", i, 0, sqrt(diag(f$var))[i])
  for (i in 1:k) for (j in 1:k) emit("var", i, j, f$var[i, j])
  for (i in 1:k) emit("score", i, 0, f$score[i])
  emit("loglik", 0, 0, f$loglik)
  emit("loglik_null", 0, 0, f$loglik.null)
}
writeLines(out, file.path(dir, "crr_ref.out"))
