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
# Cairo draws the plots and pictures of rbmkit::plots (Debian: libcairo2-dev), found with
# pkg-config as the imported target PkgConfig::RBMKIT_CAIRO (a static rbmkit::plots names it).
find_dependency(PkgConfig)
if(NOT TARGET PkgConfig::RBMKIT_CAIRO)
  pkg_check_modules(RBMKIT_CAIRO QUIET IMPORTED_TARGET cairo)
  if(NOT RBMKIT_CAIRO_FOUND)
    set(_rbmkit_cairo_message
        "rbmkit needs Cairo, found with pkg-config (Debian: libcairo2-dev; scripts/install-deps installs it)")
    if(NOT CMAKE_FIND_PACKAGE_NAME)
      message(FATAL_ERROR "${_rbmkit_cairo_message}")
    endif()
    set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE "${_rbmkit_cairo_message}")
    set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
    return()
  endif()
endif()
