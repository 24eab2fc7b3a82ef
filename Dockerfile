# syntax=docker/dockerfile:1
# FinTech Ops Portal image: built with the .NET SDK, run on the ASP.NET runtime as a non-root user.
#   docker build -t fintech/portal:1.0.0 .
# Base images are pinned to exact patch tags; bump them together with the SDK band in global.json.

FROM mcr.microsoft.com/dotnet/sdk:10.0.401-noble AS build
WORKDIR /src
# Restore in its own layer: only the build settings and the project file invalidate it.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY FinTech.Portal/FinTech.Portal.csproj FinTech.Portal/
RUN dotnet restore FinTech.Portal/FinTech.Portal.csproj
COPY FinTech.Portal/ FinTech.Portal/
RUN dotnet publish FinTech.Portal/FinTech.Portal.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-noble AS runtime
# The ASP.NET runtime image ships no HTTP client. HEALTHCHECK (and the ECS container health check in
# infra/) probe /healthz with curl, installed here from the distribution's packages while still root.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Only the published output reaches the final image; it stays owned by root and read-only to the app user.
COPY --from=build /app ./
# The one folder the app may write: the default SQLite database and audit anchors (production uses
# PostgreSQL and CloudWatch Logs, but a local `docker run` on the Sandbox defaults needs it).
RUN mkdir -p /app/App_Data && chown "$APP_UID" /app/App_Data
# On ECS the root filesystem is read-only (infra/): these are the writable paths. ECS copies a VOLUME's content
# and ownership into the task's ephemeral volume mounted at the same path, so the app user can still write them.
VOLUME ["/tmp", "/app/App_Data"]
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_NOLOGO=true
EXPOSE 8080
# The .NET images define the non-root user "app" (uid 1654) as $APP_UID.
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://localhost:8080/healthz || exit 1
ENTRYPOINT ["dotnet", "FinTech.Portal.dll"]
