// The llmem command: parse, run, print. Everything else lives in the library.
#include "cli/app.h"

int main(int argc, char** argv) { return llmem::cli::run(argc, argv); }
