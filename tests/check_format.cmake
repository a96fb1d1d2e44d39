# Fails when any C++ file under cmd/, core/, tests/ or bench/ differs from clang-format.
file(GLOB_RECURSE files ${ROOT}/cmd/*.cpp ${ROOT}/cmd/*.h ${ROOT}/core/*.cpp ${ROOT}/core/*.h
     ${ROOT}/tests/*.cpp ${ROOT}/tests/*.h ${ROOT}/bench/*.cpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror --style=file ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: these files need formatting (run 'make format'):\n${err}")
endif()
