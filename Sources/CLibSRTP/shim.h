#ifndef PALISADE_CLIBSRTP_SHIM_H
#define PALISADE_CLIBSRTP_SHIM_H
#include <srtp2/srtp.h>
#endif
