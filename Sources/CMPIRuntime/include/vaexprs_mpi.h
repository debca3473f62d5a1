#ifndef VAEXPRS_MPI_H
#define VAEXPRS_MPI_H
/* MPI loaded at run time (dlopen), so that VAExprs builds and runs without MPI installed.
 * Targets Open MPI's library (libmpi.so.40, Debian's openmpi-bin / libopenmpi3), whose
 * predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are addresses of exported
 * objects and MPI_IN_PLACE is (void *)1. Every call returns 0 on success, else an MPI error
 * code (or -1 when the library is not loaded), with a message in `error` where one is taken. */
#include <stddef.h>
#include <stdint.h>

/* Loads libmpi (or the file VAEXPRS_MPI_LIBRARY names) and resolves what VAExprs calls; 0 on
 * success, else -1 with the reason. */
int vaexprs_mpi_load(char *error, size_t error_size);
/* MPI_Init_thread (funneled) unless already initialised; this process's rank and the size. */
int vaexprs_mpi_init(int32_t *rank, int32_t *size, char *error, size_t error_size);
/* In-place sums over every process (any count: large buffers go in pieces). */
int vaexprs_mpi_sum_floats(float *values, int64_t count);
int vaexprs_mpi_sum_doubles(double *values, int64_t count);
/* Rank 0's values to every process. */
int vaexprs_mpi_broadcast_floats(float *values, int64_t count);
/* Waits for every process. */
int vaexprs_mpi_barrier(void);
/* MPI_Finalize, once. */
int vaexprs_mpi_finalize(void);

/* MPI_Abort on MPI_COMM_WORLD: every process of the job ends with `status` (a failure of one). */
int vaexprs_mpi_abort(int status);

#endif
