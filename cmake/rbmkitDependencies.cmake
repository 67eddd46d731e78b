# The libraries rbmkit's public interface needs, as imported targets. Included by the build and
# by the installed package (rbmkitConfig.cmake), so the exported targets name only these targets
# and never a path of the machine that built rbmkit.
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(Armadillo)
set(BLA_VENDOR OpenBLAS)
find_dependency(BLAS)
# Armadillo's headers call OpenBLAS (which carries LAPACK in Debian) directly rather than through
# libarmadillo's run-time wrapper: the wrapper loads Debian's separate BLAS and LAPACK libraries
# (another copy of OpenBLAS's), ARPACK, SuperLU and gfortran, about 2.3 MiB of resident memory in
# every process, for functions rbmkit does not use. Every user of rbmkit::armadillo compiles with
# the same definition.
if(NOT TARGET rbmkit::armadillo)
  add_library(rbmkit::armadillo INTERFACE IMPORTED)
  set_target_properties(rbmkit::armadillo PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${ARMADILLO_INCLUDE_DIRS}"
    INTERFACE_COMPILE_DEFINITIONS "ARMA_DONT_USE_WRAPPER"
    INTERFACE_LINK_LIBRARIES BLAS::BLAS)
endif()
