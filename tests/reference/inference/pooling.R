# Mantel-Haenszel pooling and inverse-variance meta-analysis at full precision, for
# fipeval.inference.mantel_haenszel and meta_analysis.
# R 4.2.2, metafor 3.8-1. Run from the repository root:
#   Rscript tests/reference/inference/pooling.R
# Data: metafor's dat.bcg (13 BCG vaccine trials), also written to pooling.csv.
# Writes pooling.out (CSV, 17 digits).
suppressMessages(library(metafor))
dat <- dat.bcg[, c("trial", "tpos", "tneg", "cpos", "cneg")]
write.csv(dat, "tests/reference/inference/pooling.csv", row.names = FALSE)
fmt <- function(v) sprintf("%.17g", v)
out <- c(sprintf("# R %s, metafor %s", getRversion(), packageVersion("metafor")),
         "case,quantity,value")
emit <- function(case, quantity, value) out <<- c(out, paste(case, quantity, fmt(value), sep = ","))
for (k in c(6, 13)) {
  s <- dat[seq_len(k), ]
  for (measure in c("RD", "RR", "OR")) {
    for (correct in c(FALSE, TRUE)) {
      m <- rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = s, measure = measure,
                  correct = correct)
      case <- paste0("mh_", measure, "_", k, "_", correct)
      emit(case, "estimate", m$beta); emit(case, "se", m$se)
      emit(case, "lower", m$ci.lb); emit(case, "upper", m$ci.ub)
      emit(case, "cmh", m$MH); emit(case, "cmh_p", m$MHp)
    }
  }
}
es <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat)
for (method in c("FE", "DL", "REML")) {
  # REML by Fisher scoring stops at |change in tau2| < 1e-5 by default (metafor's
  # `threshold`); fipeval iterates to 1e-12, so the reference does too
  m <- rma(yi, vi, data = es, method = method, control = list(threshold = 1e-14, maxiter = 1000))
  case <- paste0("meta_", method)
  emit(case, "estimate", m$beta); emit(case, "se", m$se); emit(case, "p", m$pval)
  emit(case, "lower", m$ci.lb); emit(case, "upper", m$ci.ub)
  emit(case, "tau2", m$tau2); emit(case, "Q", m$QE); emit(case, "Q_p", m$QEp)
  emit(case, "I2", m$I2)
}
writeLines(out, "tests/reference/inference/pooling.out")
