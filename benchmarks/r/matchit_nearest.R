# MatchIt nearest-neighbour matching, timed, for benchmarks/peers_national.py (and
# benchmarks/bench_matching.py). Called as
#   Rscript matchit_nearest.R <input dir> <output dir> <repeats> <options json>
# The input dir holds what rpeer.write_columns() writes (read by common.R's read_columns):
# numbers bit-identical to the Python side, text columns (the categorical covariates and
# the exact column, made factors here), rows in the Python data's order.
# Options (JSON): treatment, covariates, categorical, exact (column or null), caliper (SD
# of the score, or null), ratio, order, distance ("glm": MatchIt's logistic model on the
# linear (logit) scale; "given": the numeric column `score`), summary (also time
# summary(m, un = TRUE), the balance table).
# Writes, in the output dir: result_<distance>.json (versions, per-run CPU and wall seconds
# from proc.time(), peak memory), pairs_<distance>.csv (0-based row of each FIP client and
# its control) and distance_<distance>.f64 (the score matched on, in row order).
suppressPackageStartupMessages(library(MatchIt))
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "common.R"))

a <- script_args()
opt <- a$opt
output <- a$output
d <- read_columns(a$input)
for (v in c(opt$categorical, opt$exact)) d[[v]] <- factor(d[[v]])
d[[opt$treatment]] <- as.integer(d[[opt$treatment]])
f <- reformulate(opt$covariates, response = opt$treatment)
exact <- if (is.null(opt$exact)) NULL else reformulate(opt$exact)
caliper <- if (is.null(opt$caliper)) NULL else opt$caliper

distance <- "glm"
link <- "linear.logit"
if (opt$distance == "given") {
  distance <- d$score
  link <- NULL
}

run <- function() {
  args <- list(f, data = d, method = "nearest", distance = distance, exact = exact,
               caliper = caliper, std.caliper = TRUE, m.order = opt$order, replace = FALSE,
               ratio = as.integer(opt$ratio))
  if (!is.null(link)) args$link <- link
  do.call(matchit, args)
}

balance <- if (isTRUE(opt$summary)) function(m) summary(m, un = TRUE) else NULL
timed <- time_runs(run, a$repeats, after = balance)
m <- timed$value

mm <- m$match.matrix
treated_rows <- d$row[match(rownames(mm), rownames(d))]
control_rows <- d$row[match(mm[, 1], rownames(d))]
pairs <- data.frame(treated = treated_rows, control = control_rows)
write.csv(pairs, file.path(output, paste0("pairs_", opt$distance, ".csv")), row.names = FALSE,
          na = "")
writeBin(as.double(m$distance), file.path(output, paste0("distance_", opt$distance, ".f64")),
         size = 8, endian = "little")
res <- list(peak_extra_mb = timed$peak_extra_mb,
            matchit_version = as.character(packageVersion("MatchIt")),
            r_version = R.version.string, distance = opt$distance, repeats = a$repeats,
            cpu_s = I(timed$cpu), wall_s = I(timed$wall), summary_cpu_s = I(timed$cpu_after),
            summary_wall_s = I(timed$wall_after),
            n_matched_treated = sum(!is.na(mm[, 1])), n_treated = nrow(mm),
            caliper_on_score = if (is.null(caliper)) NULL else unname(m$caliper))
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, null = "null"),
           file.path(output, paste0("result_", opt$distance, ".json")))
