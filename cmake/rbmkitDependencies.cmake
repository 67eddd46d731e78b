# The libraries rbmkit's public interface needs, as imported targets. Included by the build and
# by the installed package (rbmkitConfig.cmake), so the exported targets name only these targets
# and never a path of the machine that built rbmkit.
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(Armadillo)
set(BLA_VENDOR OpenBLAS)
find_dependency(BLAS)
if(NOT TARGET rbmkit::armadillo)
  add_library(rbmkit::armadillo INTERFACE IMPORTED)
  set_target_properties(rbmkit::armadillo PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${ARMADILLO_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${ARMADILLO_LIBRARIES}")
endif()
