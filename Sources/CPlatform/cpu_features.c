// CPUID and XGETBV: which vector instruction sets this processor has and the OS enables.
#include "vaexprs_platform.h"
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static int bit(uint32_t word, int n) { return (int)((word >> n) & 1u); }

void vaexprs_cpu_detect(vaexprs_cpu_info *info) {
    memset(info, 0, sizeof *info);
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned max_leaf = a;
    memcpy(info->vendor, &b, 4);
    memcpy(info->vendor + 4, &d, 4);
    memcpy(info->vendor + 8, &c, 4);
    info->vendor[12] = 0;

    __get_cpuid(1, &a, &b, &c, &d);
    int base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    info->family = base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family;
    info->model = (base_family == 0x6 || base_family == 0xf) ? base_model + (((a >> 16) & 0xf) << 4) : base_model;
    info->stepping = a & 0xf;
    int osxsave = bit(c, 27);
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int os_avx = (xcr0 & 0x6) == 0x6;              // XMM and YMM state
    int os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0; // opmask, ZMM_Hi256, Hi16_ZMM
    int os_amx = (xcr0 & 0x60000) == 0x60000;       // XTILECFG, XTILEDATA
    info->sse3 = bit(c, 0);
    info->ssse3 = bit(c, 9);
    info->sse41 = bit(c, 19);
    info->sse42 = bit(c, 20);
    info->avx = bit(c, 28) && os_avx;
    info->fma = bit(c, 12) && os_avx;
    info->f16c = bit(c, 29) && os_avx;

    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        unsigned subleaves = a;
        info->avx2 = bit(b, 5) && os_avx;
        info->avx512_hardware = bit(b, 16);
        info->avx512f = bit(b, 16) && os_avx512;
        info->avx512dq = bit(b, 17) && os_avx512;
        info->avx512ifma = bit(b, 21) && os_avx512;
        info->avx512cd = bit(b, 28) && os_avx512;
        info->avx512bw = bit(b, 30) && os_avx512;
        info->avx512vl = bit(b, 31) && os_avx512;
        info->avx512vbmi = bit(c, 1) && os_avx512;
        info->avx512vnni = bit(c, 11) && os_avx512;
        info->avx512fp16 = bit(d, 23) && os_avx512;
        info->amx_bf16 = bit(d, 22) && os_amx;
        info->amx_tile = bit(d, 24) && os_amx;
        info->amx_int8 = bit(d, 25) && os_amx;
        if (subleaves >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            info->avxvnni = bit(a, 4) && os_avx;
            info->avx512bf16 = bit(a, 5) && os_avx512;
        }
    }
    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a >= 0x80000004) {
        unsigned words[12];
        for (unsigned leaf = 0; leaf < 3; leaf++)
            __get_cpuid(0x80000002 + leaf, &words[4 * leaf], &words[4 * leaf + 1], &words[4 * leaf + 2], &words[4 * leaf + 3]);
        memcpy(info->brand, words, 48);
        info->brand[48] = 0;
        // Trim the leading and trailing blanks some vendors pad with.
        size_t start = 0, end = strlen(info->brand);
        while (start < end && info->brand[start] == ' ') start++;
        while (end > start && info->brand[end - 1] == ' ') end--;
        memmove(info->brand, info->brand + start, end - start);
        info->brand[end - start] = 0;
    }
}
#else
void vaexprs_cpu_detect(vaexprs_cpu_info *info) { memset(info, 0, sizeof *info); }
#endif
