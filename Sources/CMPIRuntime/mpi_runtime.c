#include "vaexprs_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Open MPI's handles are pointers to opaque objects; only their addresses are used here. */
typedef void *handle;
typedef int (*initialized_fn)(int *);
typedef int (*init_thread_fn)(int *, char ***, int, int *);
typedef int (*comm_int_fn)(handle, int *);
typedef int (*allreduce_fn)(const void *, void *, int, handle, handle, handle);
typedef int (*bcast_fn)(void *, int, handle, int, handle);
typedef int (*barrier_fn)(handle);
typedef int (*finalize_fn)(void);
typedef int (*abort_fn)(handle, int);

static struct {
    void *library;
    initialized_fn initialized;
    init_thread_fn init_thread;
    comm_int_fn comm_rank, comm_size;
    allreduce_fn allreduce;
    bcast_fn bcast;
    barrier_fn barrier;
    finalize_fn finalize, finalized;
    abort_fn abort;
    handle comm_world, type_float, type_double, op_sum;
    int finished;
} mpi;

#define MPI_THREAD_FUNNELED_OMPI 1
#define IN_PLACE ((void *)1)

static void *symbol(const char *name, char *error, size_t error_size, int *failed) {
    void *address = dlsym(mpi.library, name);
    if (!address && !*failed) {
        const char *chosen = getenv("VAEXPRS_MPI_LIBRARY");
        if (chosen && *chosen)
            snprintf(error, error_size, "VAEXPRS_MPI_LIBRARY=%s has no symbol '%s': it is not Open MPI's libmpi.so.40 (the library VAExprs uses); point it there, or unset it", chosen, name);
        else
            snprintf(error, error_size, "libmpi has no symbol '%s' (VAExprs uses Open MPI's library, libmpi.so.40)", name);
        *failed = 1;
    }
    return address;
}

int vaexprs_mpi_load(char *error, size_t error_size) {
    if (mpi.library) return 0;
    /* RTLD_GLOBAL: Open MPI's own components, loaded by libmpi, look its symbols up globally.
     * VAEXPRS_MPI_LIBRARY names another file (an Open MPI built elsewhere); empty is unset. */
    const char *chosen = getenv("VAEXPRS_MPI_LIBRARY");
    if (chosen && !*chosen) chosen = NULL;
    void *library = dlopen(chosen ? chosen : "libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
    if (!library && !chosen) library = dlopen("libmpi.so", RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        if (chosen)
            snprintf(error, error_size, "VAEXPRS_MPI_LIBRARY=%s cannot be loaded (%s); point it at Open MPI's libmpi.so.40, or unset it", chosen, dlerror());
        else
            snprintf(error, error_size, "MPI is not installed (libmpi.so.40 cannot be loaded: %s)", dlerror());
        return -1;
    }
    mpi.library = library;
    int failed = 0;
    mpi.initialized = (initialized_fn)symbol("MPI_Initialized", error, error_size, &failed);
    mpi.init_thread = (init_thread_fn)symbol("MPI_Init_thread", error, error_size, &failed);
    mpi.comm_rank = (comm_int_fn)symbol("MPI_Comm_rank", error, error_size, &failed);
    mpi.comm_size = (comm_int_fn)symbol("MPI_Comm_size", error, error_size, &failed);
    mpi.allreduce = (allreduce_fn)symbol("MPI_Allreduce", error, error_size, &failed);
    mpi.bcast = (bcast_fn)symbol("MPI_Bcast", error, error_size, &failed);
    mpi.barrier = (barrier_fn)symbol("MPI_Barrier", error, error_size, &failed);
    mpi.finalize = (finalize_fn)symbol("MPI_Finalize", error, error_size, &failed);
    mpi.abort = (abort_fn)symbol("MPI_Abort", error, error_size, &failed);
    mpi.comm_world = symbol("ompi_mpi_comm_world", error, error_size, &failed);
    mpi.type_float = symbol("ompi_mpi_float", error, error_size, &failed);
    mpi.type_double = symbol("ompi_mpi_double", error, error_size, &failed);
    mpi.op_sum = symbol("ompi_mpi_op_sum", error, error_size, &failed);
    if (failed) { mpi.library = NULL; dlclose(library); return -1; }
    return 0;
}

int vaexprs_mpi_init(int32_t *rank, int32_t *size, char *error, size_t error_size) {
    if (!mpi.library) { snprintf(error, error_size, "MPI is not loaded"); return -1; }
    int done = 0, status = mpi.initialized(&done);
    if (status == 0 && !done) {
        int provided = 0;
        status = mpi.init_thread(NULL, NULL, MPI_THREAD_FUNNELED_OMPI, &provided);
    }
    if (status != 0) { snprintf(error, error_size, "MPI_Init_thread failed (error %d)", status); return status; }
    int r = 0, s = 1;
    if ((status = mpi.comm_rank(mpi.comm_world, &r)) != 0 || (status = mpi.comm_size(mpi.comm_world, &s)) != 0) {
        snprintf(error, error_size, "MPI_Comm_rank/size failed (error %d)", status);
        return status;
    }
    *rank = r;
    *size = s;
    return 0;
}

static int sum(void *values, int64_t count, handle type, size_t width) {
    if (!mpi.library) return -1;
    char *bytes = values;
    while (count > 0) {
        int piece = count > INT_MAX ? INT_MAX : (int)count;
        int status = mpi.allreduce(IN_PLACE, bytes, piece, type, mpi.op_sum, mpi.comm_world);
        if (status != 0) return status;
        bytes += (size_t)piece * width;
        count -= piece;
    }
    return 0;
}

int vaexprs_mpi_sum_floats(float *values, int64_t count) { return sum(values, count, mpi.type_float, sizeof(float)); }
int vaexprs_mpi_sum_doubles(double *values, int64_t count) { return sum(values, count, mpi.type_double, sizeof(double)); }

int vaexprs_mpi_broadcast_floats(float *values, int64_t count) {
    if (!mpi.library) return -1;
    while (count > 0) {
        int piece = count > INT_MAX ? INT_MAX : (int)count;
        int status = mpi.bcast(values, piece, mpi.type_float, 0, mpi.comm_world);
        if (status != 0) return status;
        values += piece;
        count -= piece;
    }
    return 0;
}

int vaexprs_mpi_barrier(void) { return mpi.library ? mpi.barrier(mpi.comm_world) : -1; }

int vaexprs_mpi_finalize(void) {
    if (!mpi.library || mpi.finished) return 0;
    mpi.finished = 1;
    return mpi.finalize();
}

int vaexprs_mpi_abort(int status) {
    if (!mpi.library || mpi.finished) return -1;
    return mpi.abort(mpi.comm_world, status);
}
