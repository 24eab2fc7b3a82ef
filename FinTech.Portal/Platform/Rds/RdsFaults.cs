using System.Net;

namespace FinTech.Portal.Platform.Rds;

// RDS faults, named as the AWS SDK for .NET names them; ErrorCode is the code on the wire.

/// <summary><c>DBClusterNotFoundFault</c>.</summary>
public sealed class DBClusterNotFoundException(string message)
    : PlatformServiceException("DBClusterNotFoundFault", HttpStatusCode.NotFound, message);

/// <summary><c>InvalidDBClusterStateFault</c>: the cluster is not in a state that allows the action.</summary>
public sealed class InvalidDBClusterStateException(string message)
    : PlatformServiceException("InvalidDBClusterStateFault", HttpStatusCode.BadRequest, message);

/// <summary><c>InvalidDBInstanceState</c>: the target instance cannot take the action.</summary>
public sealed class InvalidDBInstanceStateException(string message)
    : PlatformServiceException("InvalidDBInstanceState", HttpStatusCode.BadRequest, message);

/// <summary><c>DBInstanceNotFound</c>.</summary>
public sealed class DBInstanceNotFoundException(string message)
    : PlatformServiceException("DBInstanceNotFound", HttpStatusCode.NotFound, message);
