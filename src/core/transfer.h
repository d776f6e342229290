// Transfers of files and folders to/from a runner (src/core/transfer/): the job, the queue.
#pragma once

#include "core/transfer/transferjob.h"
#include "core/transfer/transferqueue.h"
