using System.Data.Common;

namespace FinTech.Portal.Database;

public static class DbCommandExtensions
{
    /// <summary>Adds a named parameter (<c>@name</c> in the SQL of both providers); null becomes SQL NULL.</summary>
    public static DbCommand AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
