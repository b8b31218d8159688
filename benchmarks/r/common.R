# Shared by the benchmark R scripts: reading the columns rpeer.write_columns() writes, and
# the process's memory from /proc (Linux), as benchmarks/procstat.py reads it.
library(jsonlite)

# columns.json (n, numeric and text column names), one raw little-endian float64 file per
# numeric column (<name>.f64, read with readBin: bit-identical to the Python side) and
# text.csv for the text columns (kept as character). Rows in the Python data's order.
read_columns <- function(input) {
  meta <- fromJSON(file.path(input, "columns.json"))
  n <- meta$n
  d <- data.frame(row = seq_len(n) - 1L)
  for (v in meta$numeric) {
    d[[v]] <- readBin(file.path(input, paste0(v, ".f64")), "double", n = n, size = 8,
                      endian = "little")
  }
  if (length(meta$text)) {
    text <- read.csv(file.path(input, "text.csv"), colClasses = "character")
    for (v in meta$text) d[[v]] <- text[[v]]
  }
  d
}

status_mb <- function(field) {
  x <- tryCatch(grep(paste0("^", field, ":"), readLines("/proc/self/status"), value = TRUE),
                error = function(e) character(0))
  if (!length(x)) return(NA_real_)
  as.numeric(strsplit(trimws(sub("^[^:]*:", "", x)), " +")[[1]][1]) / 1024
}

reset_peak <- function() {
  tryCatch({cat("5", file = "/proc/self/clear_refs"); TRUE}, error = function(e) FALSE)
}

# <input dir> <output> <repeats> <options json>, as every benchmark R script is called
script_args <- function() {
  a <- commandArgs(trailingOnly = TRUE)
  list(input = a[1], output = a[2], repeats = as.integer(a[3]), opt = fromJSON(a[4]))
}

# fn() run `repeats` times, then (untimed in its own figures) after(value) if given: per
# run CPU (user + system) and wall seconds from proc.time() for both, the peak resident
# memory above the start (MB), and the last value.
time_runs <- function(fn, repeats, after = NULL) {
  cpu <- wall <- cpu_after <- wall_after <- numeric(0)
  gc()
  base_mb <- status_mb("VmRSS")
  reset_peak()
  for (i in seq_len(repeats)) {
    gc()
    t0 <- proc.time()
    value <- fn()
    t1 <- proc.time()
    cpu <- c(cpu, sum((t1 - t0)[c(1, 2)]))
    wall <- c(wall, (t1 - t0)[[3]])
    if (!is.null(after)) {
      t0 <- proc.time()
      after(value)
      t1 <- proc.time()
      cpu_after <- c(cpu_after, sum((t1 - t0)[c(1, 2)]))
      wall_after <- c(wall_after, (t1 - t0)[[3]])
    }
  }
  list(cpu = cpu, wall = wall, cpu_after = cpu_after, wall_after = wall_after,
       peak_extra_mb = max(status_mb("VmHWM") - base_mb, 0), value = value)
}
